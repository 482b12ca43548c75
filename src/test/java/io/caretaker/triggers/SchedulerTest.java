package io.caretaker.triggers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caretaker.actions.Redactor;
import io.caretaker.actions.RunRecord;
import io.caretaker.config.Config;
import io.caretaker.config.ConfigLoader;
import io.caretaker.config.MaintenanceConfig;
import io.caretaker.config.ScheduleConfig;
import io.caretaker.daemon.ActionTypes;
import io.caretaker.run.ActionExecutor;
import io.caretaker.run.Maintenance;
import io.caretaker.run.RunHistory;
import io.caretaker.store.StateFile;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchedulerTest {
  @TempDir Path dir;

  private static Config config(String schedules) {
    return ConfigLoader.parse(
        "s.yml",
        """
        actions:
          mark: { type: command, argv: ["true"], cooldown: 0s }
        schedules:
        """
            + schedules.indent(2),
        Map.of());
  }

  private static ScheduleConfig schedule(String yaml) {
    return config(yaml).schedules().get(0);
  }

  @Test
  void cronFollowsTheWallClockOfItsZoneAcrossDaylightSaving() {
    ScheduleConfig nine =
        schedule("- { id: s, action: mark, cron: \"0 9 * * *\", timezone: Europe/London }");
    // Spring forward on 2026-03-29: 09:00 is 09:00Z the day before and 08:00Z after.
    assertThat(Scheduler.after(nine, Instant.parse("2026-03-27T10:00:00Z")))
        .isEqualTo(Instant.parse("2026-03-28T09:00:00Z"));
    assertThat(Scheduler.after(nine, Instant.parse("2026-03-28T10:00:00Z")))
        .isEqualTo(Instant.parse("2026-03-29T08:00:00Z"));
    // Fall back on 2026-10-25: 01:30 happens twice; the job runs once that night.
    ScheduleConfig early =
        schedule("- { id: s, action: mark, cron: \"30 1 * * *\", timezone: Europe/London }");
    Instant first = Scheduler.after(early, Instant.parse("2026-10-24T12:00:00Z"));
    assertThat(first).isEqualTo(Instant.parse("2026-10-25T00:30:00Z"));
    assertThat(Scheduler.after(early, first)).isEqualTo(Instant.parse("2026-10-26T01:30:00Z"));
  }

  @Test
  void cronWithJitterRunsAtAStablePerAgentOffsetSoAFleetSpreads() {
    Config config = config("- { id: restart, action: mark, cron: \"0 */12 * * *\", jitter: 10m }");
    ScheduleConfig s = config.schedules().get(0);
    Instant now = Instant.parse("2026-12-02T10:00:00Z");
    List<Duration> offsets = new ArrayList<>();
    for (String host : List.of("trade-01", "trade-02", "trade-03", "trade-04")) {
      Scheduler scheduler = scheduler(config, host);
      Duration offset = scheduler.offset(s);
      assertThat(offset).isBetween(Duration.ZERO, Duration.ofMinutes(10));
      assertThat(scheduler.offset(s)).as("stable").isEqualTo(offset);
      Instant next = scheduler.next(s, now);
      assertThat(next).isEqualTo(Instant.parse("2026-12-02T12:00:00Z").plus(offset));
      assertThat(scheduler.next(s, next))
          .isEqualTo(Instant.parse("2026-12-03T00:00:00Z").plus(offset));
      offsets.add(offset);
    }
    assertThat(offsets).doesNotHaveDuplicates();
  }

  @Test
  void everyStartsWithAStablePerAgentJitterWithinTheInterval() {
    Config config = config("- { id: hourly, action: mark, every: 1h }");
    Instant now = Instant.parse("2026-11-23T12:00:00Z");
    Instant a = scheduler(config, "host-a").first(config.schedules().get(0), now);
    Instant b = scheduler(config, "host-b").first(config.schedules().get(0), now);
    assertThat(a).isBetween(now, now.plus(Duration.ofHours(1)));
    assertThat(b).isBetween(now, now.plus(Duration.ofHours(1)));
    assertThat(a).isNotEqualTo(b);
    assertThat(scheduler(config, "host-a").first(config.schedules().get(0), now)).isEqualTo(a);
  }

  @Test
  void pausedStaysPausedAcrossARestartAndItsDueTimesAreRecordedAsSkipped() throws Exception {
    Config config = config("- { id: often, action: mark, every: 1s }");
    try (ActionExecutor executor = executor(config);
        Scheduler first =
            new Scheduler(
                config.schedules(),
                executor,
                state(),
                "a",
                Clock.systemUTC(),
                new PrometheusRegistry())) {
      first.setPaused("often", true);
    }
    try (ActionExecutor executor = executor(config);
        Scheduler restarted =
            new Scheduler(
                config.schedules(),
                executor,
                state(),
                "a",
                Clock.systemUTC(),
                new PrometheusRegistry())) {
      assertThat(restarted.list().get(0).paused()).isTrue();
      restarted.start();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> executor.history().last("mark", r -> true).isPresent());
      RunRecord skipped = executor.history().last("mark", r -> true).orElseThrow();
      assertThat(skipped.outcome()).isEqualTo(RunRecord.Outcome.SKIPPED);
      assertThat(skipped.reason()).isEqualTo("paused");
      assertThat(skipped.trigger().ref()).isEqualTo("often");

      restarted.setPaused("often", false);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> executor.history().last("mark", RunRecord::ran).isPresent());
    }
  }

  private StateFile state() {
    return new StateFile(dir.resolve("schedules.json"));
  }

  private Scheduler scheduler(Config config, String instance) {
    return new Scheduler(
        config.schedules(),
        executor(config),
        state(),
        instance,
        Clock.systemUTC(),
        new PrometheusRegistry());
  }

  private ActionExecutor executor(Config config) {
    RunHistory history = new RunHistory(dir.resolve("runs.jsonl"), 100);
    return new ActionExecutor(
        config.actions(),
        ActionTypes.create(
            config.actions(),
            new ActionTypes.Parts(
                () -> null,
                history,
                List.of(),
                "t",
                Clock.systemUTC(),
                new PrometheusRegistry(),
                Optional.empty(),
                Optional.empty(),
                dir,
                new Redactor(List.of()),
                (period, format, now) -> new byte[0])),
        history,
        new Maintenance(new MaintenanceConfig(List.of())),
        new PrometheusRegistry(),
        Clock.systemUTC(),
        2);
  }
}
