package io.caretaker.actions.postgres;

import io.caretaker.actions.Action;
import io.caretaker.actions.ActionContext;
import io.caretaker.actions.ActionFailure;
import io.caretaker.actions.ActionSkipped;
import io.caretaker.actions.Figure;
import io.caretaker.actions.Progress;
import io.caretaker.actions.SkipReason;
import io.caretaker.config.ActionSpec;
import io.caretaker.config.PostgresConfig;
import io.caretaker.postgres.PostgresConnection;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

// One file on purpose: one maintenance run, from its guards to its last batch, read in order.
/**
 * What a DBA runs by hand on the trading database, done when due and never in the way: VACUUM
 * (ANALYZE) of the tables whose dead rows or vacuum age pass the thresholds, one at a time (VACUUM
 * FULL only for tables named for it), ANALYZE of stale statistics, REINDEX INDEX CONCURRENTLY of
 * named indexes, and retention: old rows deleted by primary key in batches, each its own short
 * transaction, pausing while other sessions wait for locks.
 *
 * <p>Guards: a session advisory lock, so one run per database across a fleet (else skipped, {@code
 * locked}); skipped ({@code busy}) while another transaction older than {@code busy_transaction} is
 * open or lock requests wait; {@code lock_timeout} and {@code statement_timeout} on every
 * statement, so a table another session holds makes the run fail cleanly rather than queue the
 * trading system behind it. Identifiers are never pasted from the config: tables, columns and
 * indexes are resolved in the catalog and quoted by the server ({@code to_regclass}, {@code
 * format('%I')}).
 */
public final class PostgresMaintenanceAction implements Action {
  /** pg_try_advisory_lock's key: "caretake" in ASCII. */
  static final long LOCK_KEY = 0x6361726574616b65L;

  private static final long PAUSE_MS = 100;

  private static final String TABLES =
      "SELECT format('%I.%I', schemaname, relname), n_live_tup, n_dead_tup,"
          + " extract(epoch FROM now() - greatest(last_vacuum, last_autovacuum)),"
          + " extract(epoch FROM now() - greatest(last_analyze, last_autoanalyze))"
          + " FROM pg_stat_user_tables ORDER BY 1";
  private static final String BUSY =
      "SELECT coalesce(max(extract(epoch FROM now() - xact_start)), 0),"
          + " (SELECT count(*) FROM pg_locks WHERE NOT granted)"
          + " FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND xact_start IS NOT NULL"
          + " AND backend_type = 'client backend'";
  private static final String RETENTION =
      "SELECT format('DELETE FROM %s WHERE %I IN (SELECT %I FROM %s WHERE %I < now() - interval"
          + " ''%s seconds'' ORDER BY %I LIMIT %s)', c.oid::regclass, pk.attname, pk.attname,"
          + " c.oid::regclass, col.attname, ?::bigint, pk.attname, ?::int),"
          + " format('SELECT count(*) FROM %s WHERE %I < now() - interval ''%s seconds''',"
          + " c.oid::regclass, col.attname, ?::bigint)"
          + " FROM pg_class c"
          + " JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary AND i.indnkeyatts = 1"
          + " JOIN pg_attribute pk ON pk.attrelid = c.oid AND pk.attnum = i.indkey[0]"
          + " JOIN pg_attribute col ON col.attrelid = c.oid AND col.attname = ?"
          + "   AND NOT col.attisdropped"
          + " WHERE c.oid = to_regclass(?)";

  /**
   * Each B-tree index's size against what its rows would need freshly built: reltuples times
   * (8-byte tuple header + 4-byte line pointer + the indexed columns' average width from pg_stats,
   * 8 when unknown), over 90% (the default fillfactor) of a block. A rough estimate, as the widely
   * used catalog queries are (no page is read): it needs ANALYZE statistics and ignores inner
   * pages, so it errs towards less bloat.
   */
  private static final String BLOAT =
      "SELECT ic.oid::regclass::text, pg_relation_size(ic.oid),"
          + " 1 - (ceil(c.reltuples * (12 + coalesce(sum(s.avg_width), 8))"
          + "   / (current_setting('block_size')::int * 0.9)) + 1)"
          + "   * current_setting('block_size')::int / greatest(pg_relation_size(ic.oid), 1)"
          + " FROM pg_index i"
          + " JOIN pg_class c ON c.oid = i.indrelid"
          + " JOIN pg_class ic ON ic.oid = i.indexrelid"
          + " JOIN pg_am am ON am.oid = ic.relam AND am.amname = 'btree'"
          + " JOIN pg_namespace n ON n.oid = c.relnamespace"
          + " LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey)"
          + " LEFT JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname"
          + "   AND s.attname = a.attname"
          + " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"
          + "   AND c.reltuples > 0 AND pg_relation_size(ic.oid) >= ?"
          + " GROUP BY ic.oid, c.reltuples ORDER BY 1";

  private final ActionSpec.PostgresMaintenance spec;
  private final PostgresConfig.Database db;
  private final Duration connectTimeout;

  public PostgresMaintenanceAction(
      ActionSpec.PostgresMaintenance spec, PostgresConfig.Database db, Duration connectTimeout) {
    this.spec = spec;
    this.db = db;
    this.connectTimeout = connectTimeout;
  }

  /** A table as pg_stat_user_tables sees it; ages are null when it never happened. */
  private record Table(String name, long live, long dead, Double vacuumAge, Double analyzeAge) {
    double deadRatio() {
      return live + dead == 0 ? 0 : (double) dead / (live + dead);
    }
  }

  @Override
  public Set<Figure> figures() {
    return Set.of(Figure.TABLES_VACUUMED, Figure.INDEXES_REBUILT, Figure.ROWS_DELETED);
  }

  @Override
  // Long on purpose: guards, plan, then each kind of work, in the order a DBA would do them.
  public Map<String, Object> run(ActionContext ctx) throws Exception {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("database", db.name());
    try (Connection c = PostgresConnection.open(db, connectTimeout, spec.statementTimeout())) {
      execute(c, "SET lock_timeout = " + spec.lockTimeout().toMillis());
      if (!bool(c, "SELECT pg_try_advisory_lock(" + LOCK_KEY + ")")) {
        details.put("detail", "another agent maintains this database now");
        throw new ActionSkipped(SkipReason.LOCKED, details);
      }
      checkNotBusy(c, details);
      List<Table> tables = tables(c);
      List<Map<String, Object>> vacuum = new ArrayList<>();
      List<Map<String, Object>> analyze = new ArrayList<>();
      for (Table t : tables) {
        Optional<String> why = vacuumReason(t);
        if (why.isPresent()) {
          vacuum.add(step(t.name(), why.get(), t.dead()));
        } else {
          analyzeReason(t).ifPresent(w -> analyze.add(step(t.name(), w, t.dead())));
        }
      }
      List<Map<String, Object>> retention = retentionPlan(c);
      List<Map<String, Object>> reindex = reindexPlan(c);
      if (ctx.dryRun()) {
        details.put("would_vacuum", vacuum);
        details.put("would_analyze", analyze);
        details.put("would_vacuum_full", spec.vacuumFull());
        details.put("would_reindex", reindex);
        details.put("would_delete", retention);
        return details;
      }
      long deadBefore = vacuum.stream().mapToLong(v -> (Long) v.get("dead_tuples")).sum();
      Progress progress = ctx.progress();
      progress.set(
          "steps_total",
          vacuum.size()
              + spec.vacuumFull().size()
              + analyze.size()
              + reindex.size()
              + retention.size());
      for (Map<String, Object> v : vacuum) {
        execute(c, "VACUUM (ANALYZE) " + v.get("table"));
        progress.add("steps_done", 1);
      }
      for (String full : spec.vacuumFull()) {
        execute(c, "VACUUM (FULL, ANALYZE) " + regclass(c, full, "table"));
        progress.add("steps_done", 1);
      }
      for (Map<String, Object> a : analyze) {
        execute(c, "ANALYZE " + a.get("table"));
        progress.add("steps_done", 1);
      }
      for (Map<String, Object> index : reindex) {
        execute(c, "REINDEX INDEX CONCURRENTLY " + index.get("index"));
        progress.add("steps_done", 1);
      }
      long deleted = 0;
      for (Map<String, Object> r : retention) {
        try {
          deleted += deleteInBatches(c, r, spec.maxRows() - deleted);
          progress.add("steps_done", 1);
          progress.set(Figure.ROWS_DELETED.key(), deleted);
        } catch (PauseTooLong e) {
          deleted += (Long) r.get("rows_deleted");
          details.put(Figure.ROWS_DELETED.key(), deleted);
          details.put("retention", retention);
          throw new ActionFailure("retention stopped: " + e.getMessage(), details);
        }
      }
      details.put(Figure.TABLES_VACUUMED.key(), (long) vacuum.size() + spec.vacuumFull().size());
      details.put("tables_analyzed", (long) analyze.size() + vacuum.size());
      details.put(Figure.INDEXES_REBUILT.key(), (long) reindex.size());
      details.put("reindexed", reindex);
      details.put("dead_tuples_before", deadBefore);
      details.put("dead_tuples_after", deadAfter(c, vacuum));
      details.put(Figure.ROWS_DELETED.key(), deleted);
      details.put("vacuumed", vacuum);
      details.put("retention", retention);
      return details;
    } catch (SQLException e) {
      throw new ActionFailure(describe(e), details);
    }
  }

  private static Map<String, Object> step(String table, String why, long dead) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("table", table);
    s.put("reason", why);
    s.put("dead_tuples", dead);
    return s;
  }

  private Optional<String> vacuumReason(Table t) {
    if (t.dead() > 0 && t.deadRatio() >= spec.vacuumDeadRatio()) {
      return Optional.of(
          String.format("dead ratio %.3f >= %s", t.deadRatio(), spec.vacuumDeadRatio()));
    }
    if (t.dead() >= spec.vacuumDeadTuples() && t.dead() > 0) {
      return Optional.of("dead tuples " + t.dead() + " >= " + spec.vacuumDeadTuples());
    }
    if (spec.vacuumOlderThan().isPresent()
        && (t.vacuumAge() == null || t.vacuumAge() > spec.vacuumOlderThan().get().toSeconds())) {
      return Optional.of(
          t.vacuumAge() == null
              ? "never vacuumed"
              : "last vacuum " + Math.round(t.vacuumAge()) + "s ago");
    }
    return Optional.empty();
  }

  private Optional<String> analyzeReason(Table t) {
    if (spec.analyzeOlderThan().isEmpty()) {
      return Optional.empty();
    }
    long limit = spec.analyzeOlderThan().get().toSeconds();
    if (t.analyzeAge() == null || t.analyzeAge() > limit) {
      return Optional.of(
          t.analyzeAge() == null
              ? "never analyzed"
              : "last analyze " + Math.round(t.analyzeAge()) + "s ago");
    }
    return Optional.empty();
  }

  private void checkNotBusy(Connection c, Map<String, Object> details)
      throws SQLException, ActionSkipped {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery(BUSY)) {
      r.next();
      double oldest = r.getDouble(1);
      long waiting = r.getLong(2);
      if (oldest > spec.busyTransaction().toSeconds() || waiting > 0) {
        details.put("oldest_transaction_seconds", Math.round(oldest));
        details.put("locks_waiting", waiting);
        details.put(
            "detail",
            waiting > 0
                ? waiting + " lock request(s) waiting"
                : "a transaction open for " + Math.round(oldest) + "s");
        throw new ActionSkipped(SkipReason.BUSY, details);
      }
    }
  }

  private static List<Table> tables(Connection c) throws SQLException {
    List<Table> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery(TABLES)) {
      while (r.next()) {
        double vacuum = r.getDouble(4);
        Double vacuumAge = r.wasNull() ? null : vacuum;
        double analyze = r.getDouble(5);
        Double analyzeAge = r.wasNull() ? null : analyze;
        out.add(new Table(r.getString(1), r.getLong(2), r.getLong(3), vacuumAge, analyzeAge));
      }
    }
    return out;
  }

  /** The named indexes, then those whose estimated bloat passes {@code reindex_bloat}. */
  private List<Map<String, Object>> reindexPlan(Connection c) throws SQLException {
    List<Map<String, Object>> plan = new ArrayList<>();
    for (String named : spec.reindex()) {
      Map<String, Object> step = new LinkedHashMap<>();
      step.put("index", regclass(c, named, "index"));
      step.put("reason", "named in reindex");
      plan.add(step);
    }
    if (spec.reindexBloat().isEmpty()) {
      return plan;
    }
    try (PreparedStatement s = c.prepareStatement(BLOAT)) {
      s.setLong(1, spec.reindexMinBytes());
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          String index = r.getString(1);
          double bloat = r.getDouble(3);
          if (bloat >= spec.reindexBloat().get()
              && plan.stream().noneMatch(p -> p.get("index").equals(index))) {
            Map<String, Object> step = new LinkedHashMap<>();
            step.put("index", index);
            step.put(
                "reason",
                String.format(
                    "estimated bloat %.2f >= %s (%d bytes)",
                    bloat, spec.reindexBloat().get(), r.getLong(2)));
            plan.add(step);
          }
        }
      }
    }
    return plan;
  }

  /** Each retention step: its statements, built and quoted by the server, and its row count. */
  private List<Map<String, Object>> retentionPlan(Connection c) throws SQLException {
    List<Map<String, Object>> plan = new ArrayList<>();
    for (ActionSpec.Retention r : spec.retention()) {
      long seconds = r.olderThan().toSeconds();
      try (PreparedStatement s = c.prepareStatement(RETENTION)) {
        s.setLong(1, seconds);
        s.setInt(2, r.batch());
        s.setLong(3, seconds);
        s.setString(4, r.column());
        s.setString(5, r.table());
        String where = "retention: " + r.table() + "." + r.column() + ": ";
        try (ResultSet rs = s.executeQuery()) {
          if (!rs.next()) {
            throw new SQLException(
                where + "no such table or column, or the table has no single-column primary key");
          }
          Map<String, Object> step = new LinkedHashMap<>();
          step.put("table", r.table());
          step.put("column", r.column());
          step.put("older_than_seconds", seconds);
          step.put("rows", count(c, rs.getString(2)));
          step.put("delete", rs.getString(1));
          plan.add(step);
        } catch (SQLException e) {
          throw e.getMessage().startsWith(where) ? e : new SQLException(where + e.getMessage(), e);
        }
      }
    }
    return plan;
  }

  /**
   * Deletes in batches, each its own transaction (autocommit), until no old row is left or {@code
   * budget} rows went. After each batch it waits while other sessions' lock requests wait or a
   * replica has more than {@code max_replication_lag} bytes of WAL still to replay (bytes, not
   * seconds: a replica that stops replaying reports no new lag time); a wait longer than {@code
   * max_pause} ends the step (the batches done stay done) and fails the run, saying why.
   */
  private long deleteInBatches(Connection c, Map<String, Object> step, long budget)
      throws SQLException, InterruptedException, PauseTooLong {
    String delete = (String) step.remove("delete");
    long deleted = 0;
    long pausedMs = 0;
    while (deleted < budget) {
      int n;
      try (Statement s = c.createStatement()) {
        n = s.executeUpdate(delete);
      }
      deleted += n;
      step.put("rows_deleted", deleted);
      if (n == 0) {
        break;
      }
      long waited = 0;
      for (Pressure p = pressure(c); p.high(spec); p = pressure(c)) {
        if (waited >= spec.maxPause().toMillis()) {
          step.put("pauses_ms", pausedMs + waited);
          throw new PauseTooLong(p.describe(spec) + " for " + waited + " ms (max_pause)");
        }
        Thread.sleep(PAUSE_MS); // the run's timeout interrupts this
        waited += PAUSE_MS;
      }
      pausedMs += waited;
    }
    step.put("pauses_ms", pausedMs);
    return deleted;
  }

  /** What other sessions and the replicas feel of the run: waiting locks, WAL not yet replayed. */
  private record Pressure(long locksWaiting, long replicationLagBytes) {
    boolean high(ActionSpec.PostgresMaintenance spec) {
      return locksWaiting > 0 || replicationLagBytes > spec.maxReplicationLagBytes();
    }

    String describe(ActionSpec.PostgresMaintenance spec) {
      return locksWaiting > 0
          ? locksWaiting + " lock request(s) waiting"
          : "a replica is "
              + replicationLagBytes
              + " bytes of WAL behind, above max_replication_lag "
              + spec.maxReplicationLagBytes();
    }
  }

  /** A retention step that waited longer than max_pause for the pressure to fall. */
  private static final class PauseTooLong extends Exception {
    private static final long serialVersionUID = 1L;

    PauseTooLong(String message) {
      super(message);
    }
  }

  private static Pressure pressure(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT (SELECT count(*) FROM pg_locks WHERE NOT granted),"
                    + " coalesce((SELECT max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn))"
                    + " FROM pg_stat_replication), 0)::bigint")) {
      r.next();
      return new Pressure(r.getLong(1), r.getLong(2));
    }
  }

  private static long deadAfter(Connection c, List<Map<String, Object>> vacuumed)
      throws SQLException {
    execute(c, "SELECT pg_stat_force_next_flush()");
    long dead = 0;
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT n_dead_tup FROM pg_stat_user_tables WHERE format('%I.%I', schemaname,"
                + " relname) = ?")) {
      for (Map<String, Object> v : vacuumed) {
        s.setString(1, (String) v.get("table"));
        try (ResultSet r = s.executeQuery()) {
          if (r.next()) {
            dead += r.getLong(1);
          }
        }
      }
    }
    return dead;
  }

  /** A configured table or index name, resolved and quoted by the server. */
  private static String regclass(Connection c, String name, String kind) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT to_regclass(?)::text")) {
      s.setString(1, name);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        String quoted = r.getString(1);
        if (quoted == null) {
          throw new SQLException("no " + kind + " named " + name);
        }
        return quoted;
      }
    }
  }

  private static long count(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  private static boolean bool(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getBoolean(1);
    }
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** Lock and statement timeouts in the operator's words; other errors as the server says. */
  private String describe(SQLException e) {
    if ("55P03".equals(e.getSQLState())) {
      return "lock_timeout ("
          + spec.lockTimeout().toMillis()
          + " ms): another session holds a lock the run needed; nothing was waited for longer";
    }
    if ("57014".equals(e.getSQLState())) {
      return "statement_timeout (" + spec.statementTimeout().toMillis() + " ms): " + e.getMessage();
    }
    return e.getMessage();
  }
}
