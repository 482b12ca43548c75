package io.caretaker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.caretaker.actions.Action;
import io.caretaker.actions.ActionContext;
import io.caretaker.actions.ActionFailure;
import io.caretaker.actions.Figure;
import io.caretaker.actions.RunRecord;
import io.caretaker.actions.RunRecord.Outcome;
import io.caretaker.actions.Trigger;
import io.caretaker.config.ActionConfig;
import io.caretaker.config.ConfigLoader;
import io.caretaker.config.MaintenanceConfig;
import io.caretaker.run.ActionExecutor.RunOptions;
import io.caretaker.testing.MutableClock;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ActionExecutorTest {
  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
  private final Map<String, Action> actions = new HashMap<>();
  private final AtomicInteger calls = new AtomicInteger();
  private PrometheusRegistry registry;
  private ActionExecutor executor;
  private Maintenance maintenance;

  @AfterEach
  void close() {
    if (executor != null) {
      executor.close();
    }
  }

  private ActionExecutor executor(String actionsYaml) {
    Map<String, ActionConfig> configs =
        ConfigLoader.parse("t.yml", "actions:\n" + actionsYaml, Map.of()).actions();
    configs
        .keySet()
        .forEach(
            name ->
                actions.putIfAbsent(
                    name,
                    ctx -> {
                      calls.incrementAndGet();
                      return Map.of("dry_run_seen", ctx.dryRun());
                    }));
    registry = new PrometheusRegistry();
    maintenance = new Maintenance(new MaintenanceConfig(List.of()));
    executor =
        new ActionExecutor(
            configs,
            actions,
            new RunHistory(dir.resolve("runs.jsonl"), 100),
            maintenance,
            registry,
            clock,
            2);
    return executor;
  }

  private RunRecord run(String name, Trigger trigger, RunOptions options) throws Exception {
    return executor.submit(name, trigger, options).result().get(10, TimeUnit.SECONDS);
  }

  private static final Trigger RULE = Trigger.rule("r{}");
  private static final Trigger MANUAL = Trigger.manual("test");

  @Test
  void runRecordCarriesOutcomeTriggerAndFigures() throws Exception {
    executor("  a: { type: health-report }\n");
    RunRecord r = run("a", RULE, RunOptions.NORMAL);
    assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
    assertThat(r.trigger()).isEqualTo(RULE);
    assertThat(r.details()).containsEntry("dry_run_seen", false);
    assertThat(executor.history().find(r.id())).contains(r);
  }

  @Test
  void secondRunWhileTheFirstIsRunningIsSkipped() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    actions.put(
        "slow",
        ctx -> {
          release.await();
          return Map.of();
        });
    executor("  slow: { type: health-report, cooldown: 0s }\n");
    var first = executor.submit("slow", MANUAL, RunOptions.NORMAL);
    RunRecord second = run("slow", MANUAL, RunOptions.NORMAL);
    assertThat(second.outcome()).isEqualTo(Outcome.SKIPPED);
    assertThat(second.reason()).isEqualTo("running");
    assertThat(executor.running("slow")).isTrue();
    release.countDown();
    assertThat(first.result().get(10, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.SUCCESS);
    await().until(() -> !executor.running("slow"));
  }

  @Test
  void cooldownSkipsAutomaticAndManualRunsUnlessForced() throws Exception {
    executor("  a: { type: health-report, cooldown: 10m }\n");
    assertThat(run("a", RULE, RunOptions.NORMAL).outcome()).isEqualTo(Outcome.SUCCESS);
    clock.advance(60);
    RunRecord auto = run("a", RULE, RunOptions.NORMAL);
    assertThat(auto.outcome()).isEqualTo(Outcome.SKIPPED);
    assertThat(auto.reason()).isEqualTo("cooldown");
    assertThat(run("a", MANUAL, RunOptions.NORMAL).reason()).isEqualTo("cooldown");
    assertThat(run("a", MANUAL, new RunOptions(false, true)).outcome()).isEqualTo(Outcome.SUCCESS);
    clock.advance(600);
    assertThat(run("a", RULE, RunOptions.NORMAL).outcome()).isEqualTo(Outcome.SUCCESS);
  }

  @Test
  void budgetStopsAnActionStormOfAutomaticRuns() throws Exception {
    executor("  restart: { type: health-report, cooldown: 0s, budget: { runs: 3, per: 1h } }\n");
    for (int i = 0; i < 3; i++) {
      assertThat(run("restart", RULE, RunOptions.NORMAL).outcome()).isEqualTo(Outcome.SUCCESS);
      clock.advance(60);
    }
    RunRecord fourth = run("restart", RULE, RunOptions.NORMAL);
    assertThat(fourth.outcome()).isEqualTo(Outcome.SKIPPED);
    assertThat(fourth.reason()).isEqualTo("budget");
    assertThat(run("restart", MANUAL, RunOptions.NORMAL).outcome())
        .as("operators are not budgeted")
        .isEqualTo(Outcome.SUCCESS);
    clock.advance(3600);
    assertThat(run("restart", RULE, RunOptions.NORMAL).outcome()).isEqualTo(Outcome.SUCCESS);
  }

  @Test
  void timeoutCancelsTheRunAndRecordsTimeout() throws Exception {
    CountDownLatch interrupted = new CountDownLatch(1);
    actions.put(
        "hang",
        ctx -> {
          try {
            Thread.sleep(60_000);
          } catch (InterruptedException e) {
            interrupted.countDown();
            throw e;
          }
          return Map.of();
        });
    executor("  hang: { type: health-report, timeout: 200ms }\n");
    RunRecord r = run("hang", MANUAL, RunOptions.NORMAL);
    assertThat(r.outcome()).isEqualTo(Outcome.TIMEOUT);
    assertThat(r.reason()).isEqualTo("timed out after 200ms");
    assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
    await().until(() -> !executor.running("hang"));
  }

  @Test
  void maintenanceSkipsAutomaticTriggersButNotOperators() throws Exception {
    executor("  a: { type: health-report, cooldown: 0s }\n");
    maintenance.set(new Maintenance.Manual(clock.instant().plusSeconds(3600), "upgrade"));
    RunRecord auto = run("a", RULE, RunOptions.NORMAL);
    assertThat(auto.outcome()).isEqualTo(Outcome.SKIPPED);
    assertThat(auto.reason()).isEqualTo("maintenance");
    assertThat(run("a", new Trigger(Trigger.Type.SCHEDULE, "s"), RunOptions.NORMAL).reason())
        .isEqualTo("maintenance");
    assertThat(run("a", MANUAL, RunOptions.NORMAL).outcome()).isEqualTo(Outcome.SUCCESS);
    assertThat(calls).hasValue(1);
  }

  @Test
  void openMaintenanceWindowSkipsAutomaticTriggers() throws Exception {
    executor("  a: { type: health-report, cooldown: 0s }\n");
    // 10:00 UTC Monday; a window opening at 09:30 for an hour is open, one at 08:00 is not.
    var open =
        ConfigLoader.parse(
                "t.yml",
                """
        maintenance: { windows: [ { cron: "30 9 * * *", duration: 1h } ] }
        """,
                Map.of())
            .maintenance();
    var closed =
        ConfigLoader.parse(
                "t.yml",
                """
        maintenance: { windows: [ { cron: "0 8 * * *", duration: 1h } ] }
        """,
                Map.of())
            .maintenance();
    assertThat(new Maintenance(open).activeReason(clock.instant()))
        .hasValueSatisfying(
            r -> assertThat(r).startsWith("maintenance window opened at 2026-11-23T09:30Z"));
    assertThat(new Maintenance(closed).activeReason(clock.instant())).isEmpty();
  }

  @Test
  void dryRunReachesTheActionAndDoesNotStartACooldown() throws Exception {
    executor("  a: { type: health-report, cooldown: 1h }\n");
    RunRecord plan = run("a", MANUAL, new RunOptions(true, false));
    assertThat(plan.dryRun()).isTrue();
    assertThat(plan.details()).containsEntry("dry_run_seen", true);
    assertThat(run("a", RULE, RunOptions.NORMAL).outcome()).isEqualTo(Outcome.SUCCESS);
  }

  @Test
  void throwingActionFailsItsRunAndNothingElse() throws Exception {
    actions.put(
        "boom",
        ctx -> {
          throw new IllegalStateException("bug in an action");
        });
    actions.put(
        "fail",
        new Action() {
          @Override
          public Set<Figure> figures() {
            return Set.of(Figure.FILES_DELETED);
          }

          @Override
          public Map<String, Object> run(ActionContext ctx) throws ActionFailure {
            throw new ActionFailure("disk on fire", Map.of("files_deleted", 3));
          }
        });
    executor(
        "  boom: { type: health-report }\n  fail: { type: health-report }\n"
            + "  ok: { type: health-report }\n");
    RunRecord boom = run("boom", MANUAL, RunOptions.NORMAL);
    assertThat(boom.outcome()).isEqualTo(Outcome.FAILURE);
    assertThat(boom.reason()).contains("bug in an action");
    RunRecord fail = run("fail", MANUAL, RunOptions.NORMAL);
    assertThat(fail.reason()).isEqualTo("disk on fire");
    assertThat(fail.details()).containsEntry("files_deleted", 3);
    assertThat(run("ok", MANUAL, RunOptions.NORMAL).outcome()).isEqualTo(Outcome.SUCCESS);
    assertThat(counter("caretaker_files_deleted", "fail")).isEqualTo(3);
  }

  @Test
  void cooldownAndBudgetSurviveARestart() throws Exception {
    executor("  a: { type: health-report, cooldown: 1h }\n");
    run("a", RULE, RunOptions.NORMAL);
    executor.close();
    executor = null;
    executor("  a: { type: health-report, cooldown: 1h }\n");
    RunRecord afterRestart = run("a", RULE, RunOptions.NORMAL);
    assertThat(afterRestart.reason()).isEqualTo("cooldown");
    assertThat(afterRestart.id()).as("ids continue").isEqualTo(2);
  }

  @Test
  void unknownActionIsRefusedAndMetricsStartAtZero() {
    executor("  a: { type: health-report }\n");
    assertThatThrownBy(() -> executor.submit("nope", MANUAL, RunOptions.NORMAL))
        .isInstanceOf(ActionExecutor.UnknownActionException.class);
    assertThat(
            registry.scrape().stream()
                .filter(m -> m.getMetadata().getName().equals("caretaker_action_runs"))
                .flatMap(m -> m.getDataPoints().stream())
                .count())
        .as("every trigger type times every outcome")
        .isEqualTo(6 * 4);
  }

  private double counter(String name, String action) {
    return registry.scrape().stream()
        .filter(m -> m.getMetadata().getName().equals(name))
        .flatMap(m -> ((CounterSnapshot) m).getDataPoints().stream())
        .filter(p -> action.equals(p.getLabels().get("action")))
        .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue)
        .sum();
  }
}
