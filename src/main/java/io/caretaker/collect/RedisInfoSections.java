package io.caretaker.collect;

import io.caretaker.metrics.Family;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The parts of Redis's answers that are lists rather than fields: the keyspace, the replicas, the
 * per-command statistics and latency percentiles, the slow log and the latency monitor. Names and
 * labels are redis_exporter's. Slow log entries give only their command's name and duration: their
 * arguments (keys, values, passwords) never leave Redis.
 */
final class RedisInfoSections {
  private RedisInfoSections() {}

  /** "a=1,b=x" → {a: "1", b: "x"}. */
  static Map<String, String> pairs(String line) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String part : line.split(",")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        out.put(part.substring(0, eq), part.substring(eq + 1));
      }
    }
    return out;
  }

  private static double num(Map<String, String> m, String key) {
    try {
      return Double.parseDouble(m.getOrDefault(key, "0"));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** db0:keys=2,expires=1,avg_ttl=500 → keys, expiring keys and mean TTL per database. */
  static List<MetricSnapshot> keyspace(Map<String, String> info) {
    Family keys = Family.gauge("redis_db_keys", "Keys per database.", "db");
    Family expiring =
        Family.gauge("redis_db_keys_expiring", "Keys with an expiry, per database.", "db");
    Family ttl =
        Family.gauge(
            "redis_db_avg_ttl_seconds", "Mean TTL of the keys that have one, per database.", "db");
    info.forEach(
        (key, value) -> {
          if (key.matches("db\\d+")) {
            Map<String, String> p = pairs(value);
            keys.add(num(p, "keys"), key);
            expiring.add(num(p, "expires"), key);
            ttl.add(num(p, "avg_ttl") / 1000, key);
          }
        });
    return List.of(keys.toSnapshot(), expiring.toSnapshot(), ttl.toSnapshot());
  }

  /** slave0:ip=...,port=...,state=online,offset=N,lag=S → each replica's offset and lag. */
  static List<MetricSnapshot> replicas(Map<String, String> info) {
    String[] labels = {"slave_ip", "slave_port", "slave_state"};
    Family offset =
        Family.gauge(
            "redis_connected_slave_offset_bytes", "A replica's replication offset.", labels);
    Family lag =
        Family.gauge(
            "redis_connected_slave_lag_seconds",
            "Seconds since a replica last acknowledged.",
            labels);
    info.forEach(
        (key, value) -> {
          if (key.matches("slave\\d+")) {
            Map<String, String> p = pairs(value);
            String[] l = {
              p.getOrDefault("ip", ""), p.getOrDefault("port", ""), p.getOrDefault("state", "")
            };
            offset.add(num(p, "offset"), l);
            lag.add(num(p, "lag"), l);
          }
        });
    return List.of(offset.toSnapshot(), lag.toSnapshot());
  }

  /**
   * cmdstat_get:calls=..,usec=..,rejected_calls=..,failed_calls=.. and (Redis 7)
   * latency_percentiles_usec_get:p50=..,p99=..,p99.9=.. → per-command counters and a summary.
   */
  // Long on purpose: both sections read in one pass, then the summary built from both.
  static List<MetricSnapshot> commands(Map<String, String> info) {
    Family calls = Family.counter("redis_commands_total", "Calls per command.", "cmd");
    Family seconds =
        Family.counter("redis_commands_duration_seconds_total", "Time spent per command.", "cmd");
    Family rejected =
        Family.counter(
            "redis_commands_rejected_calls_total",
            "Calls refused before running (Redis 7).",
            "cmd");
    Family failed =
        Family.counter(
            "redis_commands_failed_calls_total",
            "Calls that failed while running (Redis 7).",
            "cmd");
    Map<String, Map<String, String>> stats = new HashMap<>();
    Map<String, Map<String, String>> percentiles = new TreeMap<>();
    info.forEach(
        (key, value) -> {
          if (key.startsWith("cmdstat_")) {
            String cmd = key.substring("cmdstat_".length());
            Map<String, String> p = pairs(value);
            stats.put(cmd, p);
            calls.add(num(p, "calls"), cmd);
            seconds.add(num(p, "usec") / 1e6, cmd);
            if (p.containsKey("rejected_calls")) {
              rejected.add(num(p, "rejected_calls"), cmd);
              failed.add(num(p, "failed_calls"), cmd);
            }
          } else if (key.startsWith("latency_percentiles_usec_")) {
            percentiles.put(key.substring("latency_percentiles_usec_".length()), pairs(value));
          }
        });
    SummarySnapshot.Builder latency =
        SummarySnapshot.builder()
            .name("redis_latency_percentiles_usec")
            .help("Per-command latency percentiles in microseconds (Redis 7 latencystats).");
    percentiles.forEach(
        (cmd, p) -> {
          Quantiles.Builder q = Quantiles.builder();
          p.forEach(
              (k, v) -> {
                if (k.startsWith("p")) {
                  q.quantile(new Quantile(Double.parseDouble(k.substring(1)) / 100, num(p, k)));
                }
              });
          Map<String, String> s = stats.getOrDefault(cmd, Map.of());
          latency.dataPoint(
              SummaryDataPointSnapshot.builder()
                  .labels(Labels.of("cmd", cmd))
                  .quantiles(q.build())
                  .count((long) num(s, "calls"))
                  .sum(num(s, "usec"))
                  .build());
        });
    return List.of(
        calls.toSnapshot(),
        seconds.toSnapshot(),
        rejected.toSnapshot(),
        failed.toSnapshot(),
        latency.build());
  }

  /**
   * SLOWLOG: its length, the newest entry's id and duration, and the longest of the newest entries
   * per command name. An entry is [id, time, microseconds, [command, args...], ...].
   */
  static List<MetricSnapshot> slowlog(long length, List<Object> entries) {
    Family recent =
        Family.gauge(
            "redis_slowlog_recent_duration_seconds",
            "The longest of the newest slow log entries, per command (names only, never arguments).",
            "cmd");
    Map<String, Double> longest = new TreeMap<>();
    double lastId = 0;
    double lastSeconds = 0;
    for (int i = 0; i < entries.size(); i++) {
      if (!(entries.get(i) instanceof List<?> e) || e.size() < 4) {
        continue;
      }
      double seconds = ((Number) e.get(2)).doubleValue() / 1e6;
      if (i == 0) {
        lastId = ((Number) e.get(0)).doubleValue();
        lastSeconds = seconds;
      }
      if (e.get(3) instanceof List<?> argv && !argv.isEmpty()) {
        String cmd = String.valueOf(argv.get(0)).toLowerCase(java.util.Locale.ROOT);
        longest.merge(cmd, seconds, Math::max);
      }
    }
    longest.forEach((cmd, s) -> recent.add(s, cmd));
    return List.of(
        Family.gauge("redis_slowlog_length", "Entries in the slow log.").add(length).toSnapshot(),
        Family.gauge("redis_slowlog_last_id", "Id of the newest slow log entry.")
            .add(lastId)
            .toSnapshot(),
        Family.gauge(
                "redis_last_slow_execution_duration_seconds",
                "Duration of the newest slow command.")
            .add(lastSeconds)
            .toSnapshot(),
        recent.toSnapshot());
  }

  /** LATENCY LATEST: [event, unix time, latest ms, max ms] per event the monitor saw. */
  static List<MetricSnapshot> latencySpikes(List<Object> events) {
    Family last =
        Family.gauge(
            "redis_latency_spike_last",
            "When the latest spike of the event happened (Unix time).",
            "event_name");
    Family duration =
        Family.gauge(
            "redis_latency_spike_duration_seconds",
            "How long the latest spike lasted.",
            "event_name");
    for (Object o : events) {
      if (o instanceof List<?> e && e.size() >= 3) {
        String event = String.valueOf(e.get(0));
        last.add(((Number) e.get(1)).doubleValue(), event);
        duration.add(((Number) e.get(2)).doubleValue() / 1000, event);
      }
    }
    return List.of(last.toSnapshot(), duration.toSnapshot());
  }
}
