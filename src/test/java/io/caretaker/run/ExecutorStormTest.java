package io.caretaker.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.caretaker.actions.Action;
import io.caretaker.actions.ActionSkipped;
import io.caretaker.actions.RunRecord;
import io.caretaker.actions.RunRecord.Outcome;
import io.caretaker.actions.SkipReason;
import io.caretaker.actions.Trigger;
import io.caretaker.config.ActionConfig;
import io.caretaker.config.ConfigLoader;
import io.caretaker.config.MaintenanceConfig;
import io.caretaker.run.ActionExecutor.RunOptions;
import io.caretaker.testing.MutableClock;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Storms of triggers and stops mid-run leave cooldowns, budgets and the history intact. */
class ExecutorStormTest {
  private static final int KEEP = 50;
  private static final int FLOOD = 12_000;

  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
  private final Map<String, Action> actions = new HashMap<>();
  private final List<ActionExecutor> executors = new ArrayList<>();
  private PrometheusRegistry registry;

  @AfterEach
  void close() {
    executors.forEach(ActionExecutor::close);
  }

  private ActionExecutor executor(String actionsYaml) {
    Map<String, ActionConfig> configs =
        ConfigLoader.parse("t.yml", "actions:\n" + actionsYaml, Map.of()).actions();
    configs.keySet().forEach(name -> actions.putIfAbsent(name, ctx -> Map.of()));
    registry = new PrometheusRegistry();
    ActionExecutor executor =
        new ActionExecutor(
            configs,
            actions,
            new RunHistory(dir.resolve("runs.jsonl"), KEEP),
            new Maintenance(new MaintenanceConfig(List.of())),
            registry,
            clock,
            2);
    executors.add(executor);
    return executor;
  }

  private static RunRecord run(ActionExecutor executor, String name, Trigger trigger)
      throws Exception {
    return executor.submit(name, trigger, RunOptions.NORMAL).result().get(10, TimeUnit.SECONDS);
  }

  private double counter(String name, String... labels) {
    return registry.scrape().stream()
        .filter(m -> m.getMetadata().getPrometheusName().equals(name.replaceFirst("_total$", "")))
        .findFirst()
        .map(
            m ->
                ((CounterSnapshot) m)
                    .getDataPoints().stream()
                        .filter(
                            d -> {
                              for (int i = 0; i < labels.length; i += 2) {
                                if (!labels[i + 1].equals(d.getLabels().get(labels[i]))) {
                                  return false;
                                }
                              }
                              return true;
                            })
                        .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue)
                        .sum())
        .orElse(-1.0);
  }

  @Test
  void aFloodOfDistinctAlertsKeepsEveryExecutedRunAndTheCooldown() throws Exception {
    ActionExecutor executor = executor("  fix: { type: health-report, cooldown: 5m }\n");
    List<Long> executed = new ArrayList<>();
    for (int i = 0; i < KEEP; i++) {
      executed.add(run(executor, "fix", Trigger.manual("op")).id());
      clock.advance(301);
    }
    RunRecord last = run(executor, "fix", Trigger.alert("first"));
    assertThat(last.outcome()).isEqualTo(Outcome.SUCCESS);
    for (int i = 0; i < FLOOD; i++) {
      assertThat(run(executor, "fix", Trigger.alert("HostDown{n=\"" + i + "\"}")).reason())
          .isEqualTo("cooldown");
    }
    clock.advance(120);
    assertThat(run(executor, "fix", Trigger.alert("two-minutes-later")).reason())
        .isEqualTo("cooldown");
    executed.add(last.id());
    for (long id : executed.subList(1, executed.size())) { // the newest KEEP of KEEP + 1
      assertThat(executor.history().find(id))
          .as("run %d", id)
          .get()
          .extracting(RunRecord::outcome)
          .isEqualTo(Outcome.SUCCESS);
    }
    List<RunRecord> skips =
        executor.history().newest(Optional.of("fix"), KEEP).stream()
            .filter(r -> r.outcome() == Outcome.SKIPPED)
            .toList();
    assertThat(skips)
        .as("one record per window, newest first")
        .extracting(RunRecord::skipCount)
        .containsExactly(1L, (long) FLOOD);
    assertThat(counter("caretaker_action_skipped_total", "action", "fix", "reason", "cooldown"))
        .isEqualTo(FLOOD + 1);
    assertThat(counter("caretaker_action_runs_total", "action", "fix", "outcome", "skipped"))
        .isEqualTo(FLOOD + 1);
    assertThat(counter("caretaker_action_skipped_total", "action", "fix", "reason", "budget"))
        .as("every reason starts at zero")
        .isZero();
  }

  @Test
  void aBudgetOfOneRunAnHourHoldsThroughAFlood() throws Exception {
    ActionExecutor executor =
        executor("  restart: { type: health-report, budget: { runs: 1, per: 1h } }\n");
    assertThat(run(executor, "restart", Trigger.alert("a")).outcome()).isEqualTo(Outcome.SUCCESS);
    int ran = 0;
    for (int i = 0; i < FLOOD; i++) {
      clock.advance(Duration.ofMillis(299)); // 12,000 alerts in an hour
      if (run(executor, "restart", Trigger.alert("a" + i)).outcome() == Outcome.SUCCESS) {
        ran++;
      }
    }
    assertThat(ran).isZero();
    clock.advance(13);
    assertThat(run(executor, "restart", Trigger.alert("later")).outcome())
        .isEqualTo(Outcome.SUCCESS);
  }

  @Test
  void cooldownsAndBudgetsSurviveARestartWithoutTheHistory() throws Exception {
    String yaml =
        "  restart: { type: health-report, cooldown: 5m, budget: { runs: 1, per: 1h" + " } }\n";
    ActionExecutor first = executor(yaml);
    run(first, "restart", Trigger.rule("r"));
    first.close();
    Files.delete(dir.resolve("runs.jsonl"));
    ActionExecutor second = executor(yaml);
    assertThat(run(second, "restart", Trigger.rule("r")).reason()).isEqualTo("cooldown");
    clock.advance(600);
    assertThat(run(second, "restart", Trigger.rule("r")).reason()).isEqualTo("budget");
  }

  @Test
  void skipsOfLaterWindowsAreNewRecordsAndCountsAreWritten() throws Exception {
    ActionExecutor executor = executor("  fix: { type: health-report, cooldown: 1h }\n");
    run(executor, "fix", Trigger.rule("r"));
    for (int i = 0; i < 3; i++) {
      run(executor, "fix", Trigger.rule("r"));
    }
    clock.advance(SkipLog.WINDOW.toSeconds());
    run(executor, "fix", Trigger.rule("r"));
    executor.close();
    RunHistory reread = new RunHistory(dir.resolve("runs.jsonl"), KEEP);
    assertThat(reread.newest(Optional.of("fix"), 10))
        .extracting(RunRecord::skipCount)
        .containsExactly(1L, 3L, 1L);
    reread.close();
  }

  @Test
  void aRunStoppedByAKillIsRecordedInterruptedAndItsIdNeverReused() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    actions.put(
        "slow",
        ctx -> {
          started.countDown();
          never.await();
          return Map.of();
        });
    ActionExecutor executor = executor("  slow: { type: health-report, timeout: 1h }\n");
    long id = executor.submit("slow", Trigger.manual("op"), RunOptions.NORMAL).id();
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(executor.history().find(id))
        .get()
        .extracting(RunRecord::outcome)
        .isEqualTo(Outcome.RUNNING);

    // What the next start finds after a kill -9 now: the file as the running agent left it.
    RunHistory afterKill = new RunHistory(dir.resolve("runs.jsonl"), KEEP);
    RunRecord interrupted = afterKill.find(id).orElseThrow();
    assertThat(interrupted.outcome()).isEqualTo(Outcome.FAILURE);
    assertThat(interrupted.reason()).isEqualTo("interrupted");
    assertThat(afterKill.nextId()).isGreaterThan(id);
    afterKill.close();
    never.countDown();
  }

  @Test
  void aRunThatFindsItselfLockedUsesNeitherCooldownNorBudget() throws Exception {
    actions.put(
        "cleanup",
        ctx -> {
          throw new ActionSkipped(SkipReason.LOCKED, Map.of());
        });
    ActionExecutor executor =
        executor(
            "  cleanup: { type: health-report, cooldown: 1h, budget: { runs: 1, per: 1h } }\n");
    assertThat(run(executor, "cleanup", Trigger.rule("r")).reason()).isEqualTo("locked");
    actions.put("cleanup", ctx -> Map.of());
    ActionExecutor next =
        executor(
            "  cleanup: { type: health-report, cooldown: 1h, budget: { runs: 1, per: 1h } }\n");
    executor.close();
    assertThat(run(next, "cleanup", Trigger.rule("r")).outcome()).isEqualTo(Outcome.SUCCESS);
  }
}
