package io.caretaker.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.caretaker.actions.Action;
import io.caretaker.actions.Redactor;
import io.caretaker.config.ActionSpec;
import io.caretaker.config.Config;
import io.caretaker.config.ConfigLoader;
import io.caretaker.config.MaintenanceConfig;
import io.caretaker.run.ActionExecutor;
import io.caretaker.run.Maintenance;
import io.caretaker.run.RunHistory;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one table of action types agrees with the config, and figures feed only their actions. */
class ActionTypesTest {
  @TempDir Path dir;

  @Test
  void everyTypeTheConfigAcceptsHasAFactoryAndNoOther() {
    assertThat(ActionTypes.names()).containsExactlyInAnyOrderElementsOf(ActionSpec.TYPES);
  }

  @Test
  void aFigureCounterHasSeriesOnlyForTheActionsThatReportIt() {
    Config config =
        ConfigLoader.parse(
            "t.yml",
            """
        agent: { data_dir: %s }
        actions:
          gc: { type: jvm-gc }
          report: { type: health-report, dir: %s }
          hello: { type: command, argv: ["/bin/true"] }
        """
                .formatted(dir.resolve("data"), dir.resolve("reports")),
            Map.of());
    PrometheusRegistry registry = new PrometheusRegistry();
    RunHistory history = new RunHistory(dir.resolve("runs.jsonl"), 10);
    Map<String, Action> actions =
        ActionTypes.create(
            config.actions(),
            new ActionTypes.Parts(
                () -> null,
                history,
                List.of(),
                "t",
                Clock.systemUTC(),
                registry,
                Optional.empty(),
                Optional.empty(),
                dir,
                new Redactor(List.of()),
                (period, format, now) -> new byte[0]));
    try (ActionExecutor executor =
        new ActionExecutor(
            config.actions(),
            actions,
            history,
            new Maintenance(new MaintenanceConfig(List.of())),
            registry,
            Clock.systemUTC(),
            1)) {
      Map<String, List<String>> series =
          registry.scrape().stream()
              .collect(
                  Collectors.toMap(
                      m -> m.getMetadata().getPrometheusName(), ActionTypesTest::actions));
      assertThat(series)
          .containsEntry("caretaker_bytes_freed", List.of("gc"))
          .containsEntry("caretaker_files_deleted", List.of("report"))
          .doesNotContainKeys(
              "caretaker_redis_keys_deleted",
              "caretaker_files_compressed",
              "caretaker_backup_size_bytes");
    }
  }

  private static List<String> actions(MetricSnapshot m) {
    return m.getDataPoints().stream()
        .map(d -> d.getLabels().get("action"))
        .distinct()
        .sorted()
        .toList();
  }
}
