package io.caretaker.actions;

import java.util.Locale;

/**
 * A figure an action reports in its run's details that also feeds a counter: the key and the metric
 * are declared here once, so the two cannot drift apart. An action lists the figures it reports
 * ({@link Action#figures()}); only those actions get the counter's series.
 */
public enum Figure {
  BYTES_FREED("caretaker_bytes_freed_total", "Bytes freed by action runs (not dry runs)."),
  FILES_COMPRESSED("caretaker_files_compressed_total", "Files compressed by action runs."),
  FILES_DELETED("caretaker_files_deleted_total", "Files deleted by action runs."),
  KEYS_DELETED("caretaker_redis_keys_deleted_total", "Redis keys deleted by action runs."),
  TABLES_VACUUMED(
      "caretaker_postgres_tables_vacuumed_total", "PostgreSQL tables vacuumed by action runs."),
  INDEXES_REBUILT(
      "caretaker_postgres_indexes_rebuilt_total", "PostgreSQL indexes rebuilt by action runs."),
  ROWS_DELETED(
      "caretaker_postgres_rows_deleted_total", "PostgreSQL rows deleted by retention runs.");

  private final String metric;
  private final String help;

  Figure(String metric, String help) {
    this.metric = metric;
    this.help = help;
  }

  /** The key in a run's details: {@code bytes_freed}. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  public String metric() {
    return metric;
  }

  public String help() {
    return help;
  }
}
