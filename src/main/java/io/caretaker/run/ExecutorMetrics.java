package io.caretaker.run;

import io.caretaker.actions.Action;
import io.caretaker.actions.Effect;
import io.caretaker.actions.Figure;
import io.caretaker.actions.RunRecord;
import io.caretaker.actions.RunRecord.Outcome;
import io.caretaker.actions.SkipReason;
import io.caretaker.actions.Trigger;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code caretaker_action_*} metrics and the figure counters fed from run details. Every action
 * × trigger × outcome and action × skip reason starts at zero, so rates and alerts work before the
 * first failure. A figure's counter exists only when some action reports that figure, with series
 * only for those actions ({@link Figure}).
 */
final class ExecutorMetrics {
  private final Counter runs;
  private final Counter skipped;
  private final Histogram duration;
  private final Gauge lastSuccess;
  private final Counter effects;
  private final Gauge circuitOpen;
  private final Map<Figure, Counter> figures = new EnumMap<>(Figure.class);
  private final Map<String, Action> actions;

  ExecutorMetrics(PrometheusRegistry registry, Map<String, Action> actions) {
    this.actions = actions;
    runs =
        Counter.builder()
            .name("caretaker_action_runs_total")
            .help("Action runs by trigger and outcome (skipped runs included).")
            .labelNames("action", "trigger", "outcome")
            .register(registry);
    skipped =
        Counter.builder()
            .name("caretaker_action_skipped_total")
            .help(
                "Runs that did not start (or stopped at once), by why. Every skip counts, though the"
                    + " history coalesces them.")
            .labelNames("action", "reason")
            .register(registry);
    duration =
        Histogram.builder()
            .name("caretaker_action_duration_seconds")
            .help("How long action runs took.")
            .unit(Unit.SECONDS)
            .classicUpperBounds(0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600)
            .labelNames("action")
            .register(registry);
    lastSuccess =
        Gauge.builder()
            .name("caretaker_action_last_success_timestamp_seconds")
            .help("When the action last succeeded (not counting dry runs), unix seconds.")
            .unit(Unit.SECONDS)
            .labelNames("action")
            .register(registry);
    effects =
        Counter.builder()
            .name("caretaker_action_effect_total")
            .help(
                "Finished runs (not dry runs) by whether they fixed what they ran for: rule runs"
                    + " judged effective or ineffective, the others unknown.")
            .labelNames("action", "effect")
            .register(registry);
    circuitOpen =
        Gauge.builder()
            .name("caretaker_action_circuit_open")
            .help("1 while the action's circuit is open: automatic triggers skip it.")
            .labelNames("action")
            .register(registry);
    registerFigures(registry);
    for (String action : actions.keySet()) {
      for (Effect e : Effect.values()) {
        effects.labelValues(action, e.label());
      }
      circuitOpen.labelValues(action).set(0);
      for (Trigger.Type t : Trigger.Type.values()) {
        for (Outcome o : Outcome.FINISHED) {
          runs.labelValues(action, t.label(), o.label());
        }
      }
      for (SkipReason reason : SkipReason.values()) {
        skipped.labelValues(action, reason.label());
      }
      duration.labelValues(action);
    }
  }

  private void registerFigures(PrometheusRegistry registry) {
    for (Figure f : Figure.values()) {
      List<String> producers =
          actions.entrySet().stream()
              .filter(e -> e.getValue().figures().contains(f))
              .map(Map.Entry::getKey)
              .toList();
      if (!producers.isEmpty()) {
        Counter counter =
            Counter.builder()
                .name(f.metric())
                .help(f.help())
                .labelNames("action")
                .register(registry);
        producers.forEach(counter::labelValues);
        figures.put(f, counter);
      }
    }
  }

  void effect(String action, Effect effect) {
    effects.labelValues(action, effect.label()).inc();
  }

  void circuit(String action, boolean open) {
    circuitOpen.labelValues(action).set(open ? 1 : 0);
  }

  /** One skip, in both counters (skip records are coalesced, so they are counted here). */
  void skipped(String action, Trigger trigger, SkipReason reason) {
    skipped.labelValues(action, reason.label()).inc();
    runs.labelValues(action, trigger.type().label(), Outcome.SKIPPED.label()).inc();
  }

  /** A run that ended (skips are counted by {@link #skipped}). */
  void record(RunRecord r) {
    if (r.outcome() == Outcome.SKIPPED || r.outcome() == Outcome.RUNNING) {
      return;
    }
    runs.labelValues(r.action(), r.trigger().type().label(), r.outcome().label()).inc();
    duration
        .labelValues(r.action())
        .observe(Duration.between(r.startedAt(), r.finishedAt()).toNanos() / 1e9);
    if (r.dryRun()) {
      return;
    }
    if (r.outcome() == Outcome.SUCCESS) {
      lastSuccess.labelValues(r.action()).set(r.finishedAt().toEpochMilli() / 1000.0);
    }
    for (Figure f : actions.get(r.action()).figures()) {
      if (r.details().get(f.key()) instanceof Number n && n.doubleValue() > 0) {
        figures.get(f).labelValues(r.action()).inc(n.doubleValue());
      }
    }
  }
}
