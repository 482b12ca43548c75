package io.caretaker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caretaker.actions.Action;
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
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Run-all runs through the executor a few at a time, each under its automatic guards, and hands
 * back every record in the order asked; a running run's progress is readable and heard.
 */
class RunAllTest {
  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
  private final Map<String, Action> actions = new HashMap<>();
  private ActionExecutor executor;
  private Maintenance maintenance;

  @AfterEach
  void close() {
    if (executor != null) {
      executor.close();
    }
  }

  private void executor(String actionsYaml) {
    Map<String, ActionConfig> configs =
        ConfigLoader.parse("t.yml", "actions:\n" + actionsYaml, Map.of()).actions();
    maintenance = new Maintenance(new MaintenanceConfig(List.of()));
    executor =
        new ActionExecutor(
            configs,
            actions,
            new RunHistory(dir.resolve("runs.jsonl"), 100),
            maintenance,
            new PrometheusRegistry(),
            clock,
            4);
  }

  @Test
  void atMostTheBoundRunAtOnceAndEveryRecordComesBackInOrder() throws Exception {
    AtomicInteger now = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CountDownLatch twoIn = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    List<String> names = List.of("a", "b", "c", "d", "e");
    for (String n : names) {
      actions.put(
          n,
          ctx -> {
            most.accumulateAndGet(now.incrementAndGet(), Math::max);
            twoIn.countDown();
            release.await(10, TimeUnit.SECONDS);
            now.decrementAndGet();
            return Map.of();
          });
    }
    executor(
        String.join(
            "", names.stream().map(n -> "  " + n + ": { type: health-report }\n").toList()));
    var all = RunAll.run(executor, names, Trigger.runAll("test"), RunOptions.NORMAL, 2);
    assertThat(twoIn.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(all).isNotDone();
    release.countDown();
    List<RunRecord> records = all.get(20, TimeUnit.SECONDS);
    assertThat(records).extracting(RunRecord::action).containsExactlyElementsOf(names);
    assertThat(records).extracting(RunRecord::outcome).containsOnly(Outcome.SUCCESS);
    assertThat(most.get()).as("the pool has 4 workers; run-all used 2").isEqualTo(2);
  }

  @Test
  void eachRunIsGuardedAsAnAutomaticOneIs() throws Exception {
    actions.put("a", ctx -> Map.of());
    actions.put("b", ctx -> Map.of());
    executor("  a: { type: health-report }\n  b: { type: health-report }\n");
    executor.submit("a", Trigger.manual("t"), RunOptions.NORMAL).result().get(10, TimeUnit.SECONDS);
    List<RunRecord> records =
        RunAll.run(executor, List.of("a", "b"), Trigger.runAll("t"), RunOptions.NORMAL, 2)
            .get(10, TimeUnit.SECONDS);
    assertThat(records.get(0).reason()).isEqualTo(SkipReason.COOLDOWN.label());
    assertThat(records.get(1).outcome()).isEqualTo(Outcome.SUCCESS);

    maintenance.set(new Maintenance.Manual(clock.instant().plus(Duration.ofHours(1)), "upgrade"));
    assertThat(
            RunAll.run(executor, List.of("b"), Trigger.runAll("t"), RunOptions.NORMAL, 2)
                .get(10, TimeUnit.SECONDS)
                .get(0)
                .reason())
        .isEqualTo(SkipReason.MAINTENANCE.label());
  }

  @Test
  void aRunningRunsProgressIsReadableAndHeard() throws Exception {
    CountDownLatch told = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    actions.put(
        "scan",
        ctx -> {
          ctx.progress().set("files_total", 10);
          ctx.progress().add("files_done", 3);
          told.countDown();
          release.await(20, TimeUnit.SECONDS);
          return Map.of();
        });
    executor("  scan: { type: health-report }\n");
    List<Map<String, Object>> heard = new ArrayList<>();
    executor.addListener(
        new RunListener() {
          @Override
          public void progressed(RunRecord running, Map<String, Object> progress) {
            synchronized (heard) {
              heard.add(progress);
            }
          }
        });
    var run = executor.submit("scan", Trigger.manual("t"), RunOptions.NORMAL);
    assertThat(told.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(executor.progress(run.id())).hasValue(Map.of("files_done", 3L, "files_total", 10L));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              synchronized (heard) {
                return heard.contains(Map.of("files_done", 3L, "files_total", 10L));
              }
            });
    release.countDown();
    run.result().get(10, TimeUnit.SECONDS);
    assertThat(executor.progress(run.id())).as("gone once the run ended").isEmpty();
  }
}
