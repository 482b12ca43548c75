package io.caretaker.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.caretaker.config.ConfigLoader;
import io.caretaker.config.RuleConfig;
import io.caretaker.metrics.Family;
import io.caretaker.rules.RuleEngine.Evaluation;
import io.caretaker.rules.RuleEngine.Submission;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuleEngineTest {
  private static final Instant T0 = Instant.parse("2026-11-23T00:00:00Z");

  private static RuleEngine engine(String rulesYaml) {
    List<RuleConfig> rules =
        ConfigLoader.parse(
                "t.yml",
                """
        actions:
          gc: { type: jvm-gc }
          report: { type: health-report }
          restart: { type: command, argv: [true] }
        rules:
        """
                    + rulesYaml,
                Map.of())
            .rules();
    return new RuleEngine(rules);
  }

  private static MetricSnapshots memory(double value) {
    return MetricSnapshots.of(Family.gauge("host_memory_used_ratio", "t").add(value).toSnapshot());
  }

  private static MetricSnapshots disks(double root, double data) {
    return MetricSnapshots.of(
        Family.gauge("host_filesystem_used_ratio", "t", "mountpoint")
            .add(root, "/")
            .add(data, "/data")
            .toSnapshot());
  }

  private static Instant at(int seconds) {
    return T0.plusSeconds(seconds);
  }

  private static RuleState state(RuleEngine engine) {
    return engine.instances().get(0).state();
  }

  private static final String MEMORY =
      """
      - { name: memory-high, metric: host_memory_used_ratio, warning: 0.75, critical: 0.85,
          for: 30s, clear: 0.70, actions: { warning: [report], critical: [gc] } }
      """;

  @Test
  void crossingWaitsOutForBeforeFiringAndSubmitsTheLevelsActions() {
    RuleEngine engine = engine(MEMORY);
    assertThat(engine.evaluate(memory(0.5), at(0)).submissions()).isEmpty();
    assertThat(state(engine)).isEqualTo(RuleState.OK);

    assertThat(engine.evaluate(memory(0.9), at(5)).submissions()).isEmpty();
    assertThat(state(engine)).isEqualTo(RuleState.PENDING);
    assertThat(engine.evaluate(memory(0.9), at(30)).submissions()).isEmpty();

    Evaluation fired = engine.evaluate(memory(0.9), at(35));
    assertThat(state(engine)).isEqualTo(RuleState.CRITICAL);
    assertThat(fired.submissions())
        .containsExactly(
            new Submission("memory-high", "memory-high{}", RuleState.CRITICAL, List.of("gc"), 0.9));
    assertThat(engine.instances().get(0).since()).isEqualTo(at(35));
  }

  @Test
  void stayingInAStateDoesNotSubmitAgain() {
    RuleEngine engine = engine(MEMORY);
    engine.evaluate(memory(0.9), at(0));
    assertThat(engine.evaluate(memory(0.9), at(30)).submissions()).hasSize(1);
    for (int s = 35; s < 100; s += 5) {
      assertThat(engine.evaluate(memory(0.95), at(s)).submissions()).isEmpty();
    }
  }

  @Test
  void pendingFallsBackToOkWhenTheValueDropsBeforeFor() {
    RuleEngine engine = engine(MEMORY);
    engine.evaluate(memory(0.9), at(0));
    engine.evaluate(memory(0.6), at(10));
    assertThat(state(engine)).isEqualTo(RuleState.OK);
    engine.evaluate(memory(0.9), at(20));
    assertThat(engine.evaluate(memory(0.9), at(40)).submissions())
        .as("for restarts from the new crossing")
        .isEmpty();
    assertThat(engine.evaluate(memory(0.9), at(50)).submissions()).hasSize(1);
  }

  @Test
  void hysteresisHoldsTheStateUntilTheValuePassesClear() {
    RuleEngine engine = engine(MEMORY);
    engine.evaluate(memory(0.8), at(0));
    engine.evaluate(memory(0.8), at(30));
    assertThat(state(engine)).isEqualTo(RuleState.WARNING);
    engine.evaluate(memory(0.72), at(35));
    assertThat(state(engine)).as("below warning but above clear").isEqualTo(RuleState.WARNING);
    engine.evaluate(memory(0.69), at(40));
    assertThat(state(engine)).isEqualTo(RuleState.OK);
  }

  @Test
  void severityMovesBetweenWarningAndCriticalWithoutPassingOk() {
    RuleEngine engine = engine(MEMORY);
    engine.evaluate(memory(0.8), at(0));
    assertThat(engine.evaluate(memory(0.8), at(30)).submissions())
        .extracting(Submission::actions)
        .containsExactly(List.of("report"));
    assertThat(engine.evaluate(memory(0.9), at(35)).submissions())
        .extracting(Submission::level)
        .containsExactly(RuleState.CRITICAL);
    assertThat(engine.evaluate(memory(0.8), at(40)).submissions())
        .extracting(Submission::level)
        .containsExactly(RuleState.WARNING);
  }

  @Test
  void belowDirectionFiresOnLowValues() {
    RuleEngine engine =
        engine(
            """
        - { name: disk-free, metric: host_memory_used_ratio, direction: below, warning: 0.2,
            critical: 0.1, actions: { critical: [gc] } }
        """);
    engine.evaluate(memory(0.5), at(0));
    assertThat(state(engine)).isEqualTo(RuleState.OK);
    assertThat(engine.evaluate(memory(0.05), at(5)).submissions()).hasSize(1);
    assertThat(state(engine)).isEqualTo(RuleState.CRITICAL);
    engine.evaluate(memory(0.15), at(10));
    assertThat(state(engine)).isEqualTo(RuleState.WARNING);
    engine.evaluate(memory(0.25), at(15));
    assertThat(state(engine)).isEqualTo(RuleState.OK);
  }

  @Test
  void eachMatchingSeriesIsItsOwnInstanceAndLabelsSelect() {
    RuleEngine all =
        engine(
            """
        - { name: disk, metric: host_filesystem_used_ratio, critical: 0.9,
            actions: { critical: [report] } }
        """);
    Evaluation e = all.evaluate(disks(0.95, 0.5), at(0));
    assertThat(e.submissions())
        .extracting(Submission::ref)
        .containsExactly("disk{mountpoint=\"/\"}");
    assertThat(all.instances()).hasSize(2);

    RuleEngine dataOnly =
        engine(
            """
        - { name: disk, metric: host_filesystem_used_ratio, critical: 0.9,
            labels: { mountpoint: /data } }
        """);
    dataOnly.evaluate(disks(0.95, 0.5), at(0));
    assertThat(dataOnly.instances())
        .singleElement()
        .satisfies(i -> assertThat(i.labels()).containsEntry("mountpoint", "/data"));
  }

  @Test
  void missingDataMarksStaleAndNeverFires() {
    RuleEngine engine = engine(MEMORY);
    engine.evaluate(memory(0.9), at(0));
    assertThat(state(engine)).isEqualTo(RuleState.PENDING);
    for (int s = 5; s <= 120; s += 5) {
      assertThat(engine.evaluate(MetricSnapshots.of(), at(s)).submissions()).isEmpty();
    }
    assertThat(engine.instances().get(0).stale()).isTrue();
    assertThat(state(engine)).as("state kept while stale").isEqualTo(RuleState.PENDING);
    engine.evaluate(memory(0.9), at(125));
    assertThat(engine.instances().get(0).stale()).isFalse();
    assertThat(state(engine)).isEqualTo(RuleState.CRITICAL);
  }

  @Test
  void remediationThatRecoversIsCountedAsRecovered() {
    RuleEngine engine = engine(MEMORY);
    engine.evaluate(memory(0.9), at(0));
    engine.evaluate(memory(0.9), at(30));
    engine.actionFinished("memory-high{}", "gc", 7, 0.9);
    assertThat(engine.evaluate(memory(0.5), at(35)).remediations())
        .containsExactly(
            new RuleEngine.Remediation("memory-high", "memory-high{}", "gc", 7, true, 0.9, 0.5));
  }

  @Test
  void warningThatWasNotFixedEscalatesToTheCriticalActions() {
    RuleEngine engine = engine(MEMORY);
    engine.evaluate(memory(0.8), at(0));
    engine.evaluate(memory(0.8), at(30));
    engine.actionFinished("memory-high{}", "report", 8, 0.8);
    List<RuleEngine.Remediation> outcomes = new ArrayList<>();
    for (int i = 1; i <= RuleEngine.RECOVERY_CYCLES; i++) {
      outcomes.addAll(engine.evaluate(memory(0.8), at(30 + 5 * i)).remediations());
    }
    assertThat(outcomes)
        .containsExactly(
            new RuleEngine.Remediation(
                "memory-high", "memory-high{}", "report", 8, false, 0.8, 0.8));
    engine.evaluate(memory(0.6), at(60));
    engine.evaluate(memory(0.8), at(65));
    assertThat(engine.evaluate(memory(0.8), at(95)).submissions())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.level()).isEqualTo(RuleState.WARNING);
              assertThat(s.actions()).as("escalated").containsExactly("gc");
            });
  }

  @Test
  void zeroForFiresInTheSameEvaluation() {
    RuleEngine engine =
        engine(
            """
        - { name: m, metric: host_memory_used_ratio, critical: 0.8, actions: { critical: [gc] } }
        """);
    assertThat(engine.evaluate(memory(0.81), at(0)).submissions()).hasSize(1);
    assertThat(Duration.between(engine.instances().get(0).since(), at(0))).isZero();
  }

  @Test
  void aStepJudgedIneffectiveRunsTheNextStepOnceAndTheChainRecordsEachVerdict() {
    RuleEngine engine =
        engine(
            """
            - { name: feed-lag, metric: host_memory_used_ratio, warning: 0.75,
                actions: { warning: [gc, report, { action: restart, after: ineffective }] } }
            """);
    Evaluation fired = engine.evaluate(memory(0.8), at(0));
    assertThat(fired.submissions())
        .singleElement()
        .satisfies(s -> assertThat(s.actions()).containsExactly("gc", "report"));
    engine.actionFinished("feed-lag{}", "gc", 1, 0.8);
    engine.actionFinished("feed-lag{}", "report", 2, 0.8);
    List<Submission> next = new ArrayList<>();
    for (int i = 1; i <= RuleEngine.RECOVERY_CYCLES; i++) {
      next.addAll(engine.evaluate(memory(0.8), at(5 * i)).submissions());
    }
    assertThat(next)
        .as("both first-step runs failed; the next step runs once")
        .singleElement()
        .satisfies(s -> assertThat(s.actions()).containsExactly("restart"));
    engine.actionFinished("feed-lag{}", "restart", 3, 0.8);
    assertThat(engine.evaluate(memory(0.5), at(30)).submissions()).isEmpty();
    assertThat(engine.chain("feed-lag{}"))
        .containsExactly(
            new RuleEngine.ChainStep("gc", 1, "ineffective"),
            new RuleEngine.ChainStep("report", 2, "ineffective"),
            new RuleEngine.ChainStep("restart", 3, "effective"));
  }

  @Test
  void escalationStepsComeAfterTheLevelsPlainActions() {
    try {
      engine(
          """
          - { name: x, metric: host_memory_used_ratio, warning: 0.75,
              actions: { warning: [{ action: restart, after: ineffective }, gc] } }
          """);
      throw new AssertionError("accepted");
    } catch (io.caretaker.config.ConfigException e) {
      assertThat(e.getMessage())
          .contains("rules[0].actions.warning[1]")
          .contains("plain actions before its escalation steps");
    }
  }

  @Test
  void aRulesOwnVerifyConditionAndWindowJudgeItsRuns() {
    String rule =
        """
        - { name: mem, metric: host_memory_used_ratio, warning: 0.75, verify_within: 20s,
            verify: { metric: host_memory_used_ratio, op: "<", value: 0.7 },
            actions: { warning: [gc] } }
        """;
    RuleEngine engine = engine(rule);
    engine.evaluate(memory(0.8), at(0));
    engine.actionFinished("mem{}", "gc", 1, 0.8);
    assertThat(engine.evaluate(memory(0.74), at(5)).remediations())
        .as("back to ok, but not below 0.7: no verdict yet")
        .isEmpty();
    assertThat(engine.evaluate(memory(0.74), at(20)).remediations()).isEmpty();
    assertThat(engine.evaluate(memory(0.74), at(25)).remediations())
        .singleElement()
        .satisfies(r -> assertThat(r.recovered()).isFalse());

    RuleEngine again = engine(rule);
    again.evaluate(memory(0.8), at(0));
    again.actionFinished("mem{}", "gc", 2, 0.8);
    assertThat(again.evaluate(memory(0.65), at(5)).remediations())
        .singleElement()
        .satisfies(r -> assertThat(r.recovered()).isTrue());
  }

  @Test
  void withWaitForGuardAHeldBackStepIsAskedForAgainWhileTheInstanceFires() {
    RuleEngine engine =
        engine(
            """
            - { name: lag, metric: host_memory_used_ratio, warning: 0.75, wait_for_guard: true,
                actions: { warning: [restart] } }
            """);
    engine.evaluate(memory(0.8), at(0));
    engine.heldBack("lag{}", "restart"); // the market is open
    assertThat(engine.evaluate(memory(0.8), at(5)).submissions())
        .singleElement()
        .satisfies(s -> assertThat(s.actions()).containsExactly("restart"));
    assertThat(engine.evaluate(memory(0.8), at(10)).submissions())
        .as("asked once per hold")
        .isEmpty();
    engine.heldBack("lag{}", "restart");
    assertThat(engine.evaluate(memory(0.5), at(15)).submissions())
        .as("cleared meanwhile: nothing to ask for")
        .isEmpty();

    RuleEngine plain = engine(MEMORY);
    plain.evaluate(memory(0.9), at(0));
    plain.evaluate(memory(0.9), at(30));
    plain.heldBack("memory-high{}", "gc");
    assertThat(plain.evaluate(memory(0.9), at(35)).submissions())
        .as("without wait_for_guard the step is skipped")
        .isEmpty();
  }
}
