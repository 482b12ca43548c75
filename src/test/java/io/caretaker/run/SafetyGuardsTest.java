package io.caretaker.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.caretaker.actions.Action;
import io.caretaker.actions.RunRecord;
import io.caretaker.actions.RunRecord.Outcome;
import io.caretaker.actions.Trigger;
import io.caretaker.config.ActionConfig;
import io.caretaker.config.ConfigException;
import io.caretaker.config.ConfigLoader;
import io.caretaker.config.MaintenanceConfig;
import io.caretaker.metrics.Family;
import io.caretaker.run.ActionExecutor.RunOptions;
import io.caretaker.testing.MutableClock;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guards on a trading host, with a fixed clock and metrics the test drives: a restart is held back
 * while positions are open, while orders flow, and inside the forbidden market hours, and goes once
 * all hold; the skip names the condition; a manual run needs force; a dry run shows the verdict.
 */
class SafetyGuardsTest {
  // Wednesday 2026-12-02, 15:00 in New York: inside 09:25-16:05 on a weekday
  private static final Instant MARKET_OPEN = Instant.parse("2026-12-02T20:00:00Z");

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(MARKET_OPEN);
  private final AtomicLong positions = new AtomicLong(3);
  private final AtomicLong orders = new AtomicLong(100);
  private ActionExecutor executor;
  private SafetyGuards safety;

  @AfterEach
  void close() {
    if (executor != null) {
      executor.close();
    }
  }

  private MetricSnapshots metrics() {
    return MetricSnapshots.of(
        Family.gauge("trading_open_positions", "p").add(positions.get()).toSnapshot(),
        Family.counter("trading_orders_total", "o", "venue")
            .add(orders.get(), "XNAS")
            .toSnapshot());
  }

  private void open() {
    Map<String, ActionConfig> configs =
        ConfigLoader.parse(
                "t.yml",
                """
                actions:
                  restart-router:
                    type: health-report
                    cooldown: 0s
                    guard:
                      - { metric: trading_open_positions, op: "==", value: 0 }
                      - { metric: trading_orders_total, rate: 1m, op: "<", value: 1 }
                    windows:
                      - { forbid: "09:25-16:05", days: mon-fri, timezone: America/New_York }
                """,
                Map.of())
            .actions();
    Map<String, Action> actions = new HashMap<>();
    actions.put("restart-router", ctx -> Map.of());
    safety = new SafetyGuards(configs.values(), this::metrics);
    executor =
        new ActionExecutor(
            configs,
            actions,
            new RunHistory(dir.resolve("runs.jsonl"), 100),
            new Maintenance(new MaintenanceConfig(List.of())),
            new PrometheusRegistry(),
            clock,
            2,
            safety,
            AlertSilencer.none());
  }

  /** One collection cycle: time passes, orders (maybe) flow, the guard samples. */
  private void cycle(long newOrders) {
    clock.advance(Duration.ofSeconds(5));
    orders.addAndGet(newOrders);
    safety.observe(clock.instant());
  }

  private RunRecord run(Trigger trigger, RunOptions options) throws Exception {
    return executor.submit("restart-router", trigger, options).result().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aRestartWaitsForFlatPositionsNoOrderFlowAndTheCloseThenGoes() throws Exception {
    open();
    for (int i = 0; i < 13; i++) {
      cycle(5);
    }
    RunRecord held = run(Trigger.rule("router-stuck{}"), RunOptions.NORMAL);
    assertThat(held.outcome()).isEqualTo(Outcome.SKIPPED);
    assertThat(held.reason()).isEqualTo("guard");
    @SuppressWarnings("unchecked")
    List<String> failing = (List<String>) held.details().get("guard");
    assertThat(failing)
        .containsExactlyInAnyOrder(
            "never 09:25-16:05 mon,tue,wed,thu,fri America/New_York",
            "trading_open_positions == 0: is 3",
            "rate(trading_orders_total[1m]) < 1: is 1");

    positions.set(0);
    clock.advance(Duration.ofHours(2)); // 17:00 New York: after the close
    for (int i = 0; i < 13; i++) {
      cycle(0); // no order flow for a minute
    }
    assertThat(executor.guardVerdict("restart-router").holds()).isTrue();
    assertThat(run(Trigger.rule("router-stuck{}"), RunOptions.NORMAL).outcome())
        .isEqualTo(Outcome.SUCCESS);
  }

  @Test
  void aManualRunMeetsTheGuardTooUnlessForcedAndADryRunShowsTheVerdict() throws Exception {
    open();
    cycle(0);
    RunRecord manual = run(Trigger.manual("ops"), RunOptions.NORMAL);
    assertThat(manual.reason()).isEqualTo("guard");
    RunRecord dry = run(Trigger.manual("ops"), new RunOptions(true, false));
    assertThat(dry.outcome()).isEqualTo(Outcome.SUCCESS);
    @SuppressWarnings("unchecked")
    Map<String, Object> verdict = (Map<String, Object>) dry.details().get("guard");
    assertThat(verdict).containsEntry("holds", false);
    assertThat(run(Trigger.manual("ops"), new RunOptions(false, true)).outcome())
        .as("force passes the guard")
        .isEqualTo(Outcome.SUCCESS);
  }

  @Test
  void aWindowOnTheWeekendAndBadGuardsInTheConfigAreNamed() {
    clock.advance(Duration.ofDays(3)); // Saturday
    open();
    cycle(0);
    assertThat(executor.guardVerdict("restart-router").failing())
        .noneMatch(f -> f.startsWith("never"));
    try {
      ConfigLoader.parse(
          "t.yml",
          """
          actions:
            a:
              type: health-report
              guard: [ { metric: m, op: "=~", value: 1 } ]
              windows: [ { forbid: "9-5", timezone: Mars/Base } ]
          """,
          Map.of());
      throw new AssertionError("accepted");
    } catch (ConfigException e) {
      assertThat(e.getMessage())
          .contains("actions.a.guard[0].op (t.yml:4)")
          .contains("actions.a.windows[0].forbid (t.yml:5): Expecting HH:MM-HH:MM")
          .contains("Unknown time zone \"Mars/Base\"");
    }
  }
}
