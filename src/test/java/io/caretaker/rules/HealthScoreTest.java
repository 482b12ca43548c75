package io.caretaker.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.caretaker.metrics.Family;
import io.caretaker.rules.HealthScore.Status;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class HealthScoreTest {
  private static RuleInstance instance(String rule, RuleState state) {
    return new RuleInstance(rule, Map.of(), 1.0, state, Instant.EPOCH, false);
  }

  @Test
  void followsTheDocumentedFormula() {
    MetricSnapshots metrics =
        MetricSnapshots.of(
            Family.gauge("host_cpu_utilization_ratio", "t").add(0.5).toSnapshot(),
            Family.gauge("host_memory_used_ratio", "t").add(0.85).toSnapshot(),
            Family.gauge("host_filesystem_used_ratio", "t", "mountpoint")
                .add(0.2, "/")
                .add(0.93, "/data")
                .toSnapshot());
    HealthScore.Result r =
        HealthScore.compute(
            List.of(
                instance("a", RuleState.CRITICAL),
                instance("b", RuleState.WARNING),
                instance("c", RuleState.OK)),
            metrics);
    // 100 - 25 (critical) - 10 (warning) - 5 (memory >= 80%) - 15 (fullest disk >= 90%)
    assertThat(r.score()).isEqualTo(45);
    assertThat(r.checks())
        .extracting(HealthScore.Check::status)
        .containsExactly(
            Status.FAIL, Status.WARN, Status.PASS, Status.PASS, Status.WARN, Status.FAIL);
  }

  @Test
  void neverBelowZeroAndFullWithNothingWrong() {
    List<RuleInstance> many =
        IntStream.range(0, 10).mapToObj(i -> instance("r" + i, RuleState.CRITICAL)).toList();
    assertThat(HealthScore.compute(many, MetricSnapshots.of()).score()).isZero();
    assertThat(HealthScore.compute(List.of(), MetricSnapshots.of()).score()).isEqualTo(100);
  }

  @Test
  void liveLogsAreOneInformationalLinePerSet() {
    MetricSnapshots logs =
        new MetricSnapshots(
            Family.gauge("caretaker_log_file_bytes", "t", "set", "file", "mountpoint")
                .add(3 * 1024 * 1024, "router", "/var/log/router.log", "/")
                .add(1024, "router", "/var/log/fix.log", "/")
                .toSnapshot());
    HealthScore.Result r = HealthScore.compute(List.of(), logs);
    assertThat(r.score()).isEqualTo(100);
    assertThat(r.checks())
        .containsExactly(
            new HealthScore.Check(
                "live logs router", Status.PASS, "2 live, largest /var/log/router.log at 3.0 MiB"));
  }
}
