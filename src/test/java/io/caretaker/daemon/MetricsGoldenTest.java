package io.caretaker.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caretaker.collect.Collector;
import io.caretaker.config.ConfigLoader;
import io.caretaker.metrics.Family;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole /metrics text of an agent whose collectors give a fixed snapshot, compared with a
 * golden file line for line: names, help, types, labels and values users rely on cannot change by
 * accident. Values that depend on time or the build are masked. Regenerate after an intended change
 * with {@code mvn test -Dtest=MetricsGoldenTest -Dgolden.update=true}, never by hand.
 */
class MetricsGoldenTest {
  private static final Path GOLDEN =
      Path.of("src/test/resources/io/caretaker/daemon/MetricsGoldenTest/metrics.txt");

  /** Series whose values are durations, timestamps or the version: their values are masked. */
  private static final Pattern VARIABLE =
      Pattern.compile(
          "^(caretaker_collection_duration_seconds|caretaker_collector_duration_seconds"
              + "|caretaker_build_info|caretaker_schedule_next_run_timestamp_seconds"
              + "|caretaker_collector_last_success_timestamp_seconds"
              + "|caretaker_last_collection_timestamp_seconds)\\b.*");

  @TempDir Path dir;

  /** A host and a trading system frozen in one state. */
  private static final Collector FIXED =
      new Collector() {
        @Override
        public String name() {
          return "fixed";
        }

        @Override
        public List<MetricSnapshot> collect() {
          return List.of(
              Family.gauge("host_load1", "1-minute load average (sampled every 5 s).")
                  .add(0.5)
                  .toSnapshot(),
              Family.gauge("host_memory_used_ratio", "Memory in use (sampled every 5 s).")
                  .add(0.9)
                  .toSnapshot());
        }
      };

  @Test
  void metricsOfAFixedSnapshotMatchTheGoldenFile() throws Exception {
    String yaml =
        """
        agent: { data_dir: %s, instance: golden }
        server: { port: 0 }
        rules:
          - { name: memory-high, metric: host_memory_used_ratio, warning: 0.75, critical: 0.85,
              actions: { critical: [report] } }
        actions:
          report: { type: health-report, dir: %s, cooldown: 1h }
          cleanup: { type: file-retention, roots: [%s], delete_after: 7d }
          hello: { type: command, argv: ["/bin/true"] }
        schedules:
          - { id: nightly, action: cleanup, cron: "0 3 * * *" }
        """
            .formatted(dir.resolve("data"), dir.resolve("reports"), dir.resolve("logs"));
    Files.createDirectories(dir.resolve("logs"));
    try (Daemon daemon =
        Daemon.start(ConfigLoader.parse("golden.yml", yaml, Map.of()), List.of(FIXED))) {
      String base = "http://127.0.0.1:" + daemon.port();
      HttpClient http = HttpClient.newHttpClient();
      // The rule fires on the first cycle and its run ends: wait for the run to be counted.
      await()
          .until(
              () ->
                  get(http, base + "/metrics")
                      .contains(
                          "caretaker_action_runs_total{action=\"report\",outcome=\"success\",trigger=\"rule\"} 1.0"));
      String actual = mask(get(http, base + "/metrics"));
      if (Boolean.getBoolean("golden.update")) {
        Files.writeString(GOLDEN, actual, StandardCharsets.UTF_8);
      }
      assertThat(actual).isEqualTo(Files.readString(GOLDEN, StandardCharsets.UTF_8));
    }
  }

  private static String get(HttpClient http, String url) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** The text with the values of time- and build-dependent series replaced by X. */
  private static String mask(String metrics) {
    return metrics
        .lines()
        .map(
            l ->
                VARIABLE.matcher(l).matches()
                    ? l.replaceFirst(" [^ ]+$", " X")
                        .replaceFirst("version=\"[^\"]*\"", "version=\"X\"")
                    : l)
        .map(
            l ->
                l.startsWith("caretaker_action_duration_seconds_sum")
                        || l.startsWith("caretaker_action_duration_seconds_bucket")
                        || l.startsWith("caretaker_action_last_success_timestamp_seconds{")
                    ? l.replaceFirst(" [^ ]+$", " X")
                    : l)
        .collect(Collectors.joining("\n", "", "\n"));
  }
}
