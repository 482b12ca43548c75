package io.caretaker.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.caretaker.actions.Action;
import io.caretaker.actions.ActionFailure;
import io.caretaker.actions.Effect;
import io.caretaker.actions.RunRecord;
import io.caretaker.actions.RunRecord.Outcome;
import io.caretaker.actions.Trigger;
import io.caretaker.config.ActionConfig;
import io.caretaker.config.ConfigLoader;
import io.caretaker.config.MaintenanceConfig;
import io.caretaker.run.ActionExecutor.RunOptions;
import io.caretaker.testing.MutableClock;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Did the fix work: a rule run's verdict lands on its record and in the counter; an action whose
 * automatic runs keep not working has its circuit opened (automatic triggers skip it, manual runs
 * still go), an operator closes it, or after half_open_after one trial run decides; the circuit
 * survives a restart.
 */
class EffectAndCircuitTest {
  private static final Trigger SCHEDULE = Trigger.schedule("nightly");
  private static final Trigger RULE = Trigger.rule("disk{}");

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
  private final Map<String, Action> actions = new HashMap<>();
  private final AtomicBoolean works = new AtomicBoolean(false);
  private PrometheusRegistry registry;
  private ActionExecutor executor;

  @AfterEach
  void close() {
    if (executor != null) {
      executor.close();
    }
  }

  private void open() {
    if (executor != null) {
      executor.close();
    }
    Map<String, ActionConfig> configs =
        ConfigLoader.parse(
                "t.yml",
                "actions:\n  fix: { type: health-report, cooldown: 0s,"
                    + " circuit: { after: 3, half_open_after: 1h } }\n",
                Map.of())
            .actions();
    actions.put(
        "fix",
        ctx -> {
          if (!works.get()) {
            throw new ActionFailure("the fix did not apply", Map.of());
          }
          return Map.of();
        });
    registry = new PrometheusRegistry();
    executor =
        new ActionExecutor(
            configs,
            actions,
            new RunHistory(dir.resolve("runs.jsonl"), 100),
            new Maintenance(new MaintenanceConfig(List.of())),
            registry,
            clock,
            2);
  }

  private RunRecord run(Trigger trigger) throws Exception {
    RunRecord r =
        executor.submit("fix", trigger, RunOptions.NORMAL).result().get(10, TimeUnit.SECONDS);
    clock.advance(Duration.ofMinutes(1));
    return r;
  }

  private double metric(String name, String... labels) {
    Double v =
        registry.scrape().stream()
            .filter(m -> m.getMetadata().getPrometheusName().equals(name))
            .flatMap(m -> m.getDataPoints().stream())
            .filter(
                p -> {
                  for (int i = 0; i < labels.length; i += 2) {
                    if (!labels[i + 1].equals(p.getLabels().get(labels[i]))) {
                      return false;
                    }
                  }
                  return true;
                })
            .map(
                p ->
                    p
                            instanceof
                            io.prometheus.metrics.model.snapshots.CounterSnapshot
                                    .CounterDataPointSnapshot
                                c
                        ? c.getValue()
                        : ((io.prometheus.metrics.model.snapshots.GaugeSnapshot
                                    .GaugeDataPointSnapshot)
                                p)
                            .getValue())
            .findFirst()
            .orElse(null);
    return v == null ? Double.NaN : v;
  }

  @Test
  void aRuleRunsVerdictLandsOnItsRecordWithTheValuesBeforeAndAfter() throws Exception {
    works.set(true);
    open();
    RunRecord r = run(RULE);
    assertThat(r.effect()).as("not judged yet").isEqualTo(Effect.UNKNOWN);
    executor.judge(
        r.id(), Effect.EFFECTIVE, Map.of("rule", "disk{}", "before", 0.93, "after", 0.71));
    RunRecord judged = executor.history().find(r.id()).orElseThrow();
    assertThat(judged.effect()).isEqualTo(Effect.EFFECTIVE);
    assertThat(judged.effectDetail()).containsEntry("before", 0.93).containsEntry("after", 0.71);
    assertThat(judged.toJson()).containsEntry("effect", "effective");
    assertThat(metric("caretaker_action_effect", "action", "fix", "effect", "effective"))
        .isEqualTo(1);
    executor.judge(r.id(), Effect.INEFFECTIVE, Map.of());
    assertThat(executor.history().find(r.id()).orElseThrow().effect())
        .as("a verdict stands")
        .isEqualTo(Effect.EFFECTIVE);
  }

  @Test
  void threeBadAutomaticRunsOpenTheCircuitManualRunsStillGoAndAResetClosesIt() throws Exception {
    open();
    for (int i = 0; i < 3; i++) {
      assertThat(run(SCHEDULE).outcome()).isEqualTo(Outcome.FAILURE);
    }
    assertThat(metric("caretaker_action_circuit_open", "action", "fix")).isEqualTo(1);
    RunRecord skipped = run(SCHEDULE);
    assertThat(skipped.outcome()).isEqualTo(Outcome.SKIPPED);
    assertThat(skipped.reason()).isEqualTo("circuit_open");
    assertThat(run(Trigger.manual("ops")).outcome())
        .as("manual runs still go")
        .isEqualTo(Outcome.FAILURE);

    open(); // a restart does not close it
    assertThat(run(SCHEDULE).reason()).isEqualTo("circuit_open");
    executor.resetCircuit("fix");
    works.set(true);
    assertThat(run(SCHEDULE).outcome()).isEqualTo(Outcome.SUCCESS);
    assertThat(metric("caretaker_action_circuit_open", "action", "fix")).isEqualTo(0);
  }

  @Test
  void ineffectiveRuleRunsOpenItAndAfterHalfOpenAfterOneTrialDecides() throws Exception {
    works.set(true);
    open();
    for (int i = 0; i < 3; i++) {
      RunRecord r = run(RULE);
      executor.judge(r.id(), Effect.INEFFECTIVE, Map.of());
    }
    assertThat(run(RULE).reason()).isEqualTo("circuit_open");
    clock.advance(Duration.ofMinutes(61));
    RunRecord trial = run(RULE);
    assertThat(trial.outcome()).as("one trial after half_open_after").isEqualTo(Outcome.SUCCESS);
    assertThat(run(RULE).reason())
        .as("only one while the trial is judged")
        .isEqualTo("circuit_open");
    executor.judge(trial.id(), Effect.INEFFECTIVE, Map.of());
    assertThat(run(RULE).reason()).as("open again").isEqualTo("circuit_open");
    clock.advance(Duration.ofMinutes(61));
    RunRecord second = run(RULE);
    executor.judge(second.id(), Effect.EFFECTIVE, Map.of());
    assertThat(run(RULE).outcome()).as("closed by an effective trial").isEqualTo(Outcome.SUCCESS);
  }
}
