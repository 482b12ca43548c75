package io.caretaker.rules;

import io.caretaker.metrics.Series;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;

/**
 * The health score, 0-100, shared by {@code caretaker_health_score} and health reports:
 *
 * <pre>
 * score = 100 - 25 per rule instance in critical - 10 per instance in warning
 *             - 15 per resource at or above 90% - 5 per resource at or above 80%
 * </pre>
 *
 * clamped to 0-100. Resources: CPU utilization, memory used, the fullest filesystem.
 */
public final class HealthScore {
  static final int CRITICAL_PENALTY = 25;
  static final int WARNING_PENALTY = 10;
  static final double RESOURCE_FAIL = 0.90;
  static final double RESOURCE_WARN = 0.80;
  static final int RESOURCE_FAIL_PENALTY = 15;
  static final int RESOURCE_WARN_PENALTY = 5;

  private static final Map<String, String> RESOURCES =
      Map.of(
          "cpu", "host_cpu_utilization_ratio",
          "memory", "host_memory_used_ratio",
          "disk", "host_filesystem_used_ratio");

  public enum Status {
    PASS,
    WARN,
    FAIL
  }

  public record Check(String name, Status status, String detail) {}

  private static final String LOG_BYTES = "caretaker_log_file_bytes";

  public record Result(int score, List<Check> checks) {}

  private HealthScore() {}

  // Long on purpose: every check of the score side by side.
  public static Result compute(List<RuleInstance> instances, MetricSnapshots metrics) {
    List<Check> checks = new ArrayList<>();
    int penalty = 0;
    for (RuleInstance i : instances) {
      Status status =
          switch (i.state()) {
            case CRITICAL -> Status.FAIL;
            case WARNING -> Status.WARN;
            default -> Status.PASS;
          };
      penalty +=
          status == Status.FAIL ? CRITICAL_PENALTY : status == Status.WARN ? WARNING_PENALTY : 0;
      checks.add(
          new Check(
              "rule " + i.ref(),
              status,
              i.state().name().toLowerCase()
                  + ", value "
                  + i.value()
                  + (i.stale() ? ", stale (no data in the last collection)" : "")));
    }
    var index = Series.index(metrics, Set.copyOf(RESOURCES.values()));
    for (String resource : List.of("cpu", "memory", "disk")) {
      OptionalDouble worst =
          index.getOrDefault(RESOURCES.get(resource), List.of()).stream()
              .mapToDouble(Series::value)
              .max();
      if (worst.isEmpty()) {
        continue;
      }
      double v = worst.getAsDouble();
      Status status =
          v >= RESOURCE_FAIL ? Status.FAIL : v >= RESOURCE_WARN ? Status.WARN : Status.PASS;
      penalty +=
          status == Status.FAIL
              ? RESOURCE_FAIL_PENALTY
              : status == Status.WARN ? RESOURCE_WARN_PENALTY : 0;
      checks.add(new Check(resource, status, String.format("%.1f%% used", v * 100)));
    }
    logChecks(Series.index(metrics, Set.of(LOG_BYTES)).getOrDefault(LOG_BYTES, List.of()), checks);
    return new Result(Math.max(0, 100 - penalty), checks);
  }

  /**
   * One line per log-rotation set, for the report's reader: how many live logs, and the largest.
   * Informational (PASS, no penalty): the growth alert and the rotation's own runs judge them.
   */
  private static void logChecks(List<Series> sizes, List<Check> checks) {
    Map<String, List<Series>> bySet = new TreeMap<>();
    sizes.forEach(s -> bySet.computeIfAbsent(s.labels().get("set"), k -> new ArrayList<>()).add(s));
    bySet.forEach(
        (set, files) -> {
          Series largest =
              files.stream().max(Comparator.comparingDouble(Series::value)).orElseThrow();
          checks.add(
              new Check(
                  "live logs " + set,
                  Status.PASS,
                  String.format(
                      "%d live, largest %s at %.1f MiB",
                      files.size(),
                      largest.labels().get("file"),
                      largest.value() / (1024 * 1024))));
        });
  }
}
