package io.caretaker.triggers;

import io.caretaker.actions.Effect;
import io.caretaker.actions.RunRecord;
import io.caretaker.actions.SkipReason;
import io.caretaker.actions.Trigger;
import io.caretaker.collect.Snapshot;
import io.caretaker.config.RuleConfig;
import io.caretaker.rules.HealthScore;
import io.caretaker.rules.RuleEngine;
import io.caretaker.rules.RuleInstance;
import io.caretaker.rules.RuleMetrics;
import io.caretaker.run.ActionExecutor;
import io.caretaker.run.ActionExecutor.RunOptions;
import io.caretaker.run.HealthJournal;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Turns each collection into rule decisions and their runs, on the collection thread: rule
 * transitions start their actions in the same cycle; a run that ended (not skipped) starts the
 * engine's recovery watch. Also keeps the health score of the last cycle, which the metric, the
 * status API and reports read.
 */
public final class RuleTrigger {
  private final RuleEngine engine;
  private final RuleMetrics metrics;
  private final ActionExecutor executor;
  private final HealthJournal journal;
  private final List<Consumer<RuleChange>> listeners = new CopyOnWriteArrayList<>();
  private Map<String, String> states = Map.of(); // collection thread only
  private volatile HealthScore.Result health = HealthScore.compute(List.of(), MetricSnapshots.of());

  /** A rule instance that changed state this cycle ({@code from} null: seen for the first time). */
  public record RuleChange(RuleInstance instance, String from, String to) {}

  public RuleTrigger(
      RuleEngine engine, RuleMetrics metrics, ActionExecutor executor, HealthJournal journal) {
    this.engine = engine;
    this.metrics = metrics;
    this.executor = executor;
    this.journal = journal;
  }

  /** Called on the collection thread with each state change, after the journal has it. */
  public void addListener(Consumer<RuleChange> listener) {
    listeners.add(listener);
  }

  /** For {@code CollectionLoop.addListener}. */
  public void evaluate(Snapshot snapshot) {
    RuleEngine.Evaluation evaluation = engine.evaluate(snapshot.metrics(), snapshot.collectedAt());
    for (RuleEngine.Remediation r : evaluation.remediations()) {
      metrics.remediated(r);
      executor.judge(
          r.runId(),
          r.recovered() ? Effect.EFFECTIVE : Effect.INEFFECTIVE,
          Map.of(
              "rule", r.ref(),
              "before", r.before(),
              "after", r.after(),
              "within_cycles", RuleEngine.RECOVERY_CYCLES));
    }
    for (RuleEngine.Submission s : evaluation.submissions()) {
      for (String action : s.actions()) {
        executor
            .submit(action, Trigger.rule(s.ref()), RunOptions.NORMAL)
            .result()
            .thenAccept(
                r -> {
                  if (r.outcome() != RunRecord.Outcome.SKIPPED && !r.dryRun()) {
                    engine.actionFinished(s.ref(), action, r.id(), s.value());
                  } else if (SkipReason.GUARD.label().equals(r.reason())) {
                    engine.heldBack(s.ref(), action);
                  }
                });
      }
    }
    health = HealthScore.compute(engine.instances(), snapshot.metrics());
    metrics.update(engine.instances(), health);
    journal.score(snapshot.collectedAt(), health.score());
    tellChanges(snapshot);
  }

  private void tellChanges(Snapshot snapshot) {
    Map<String, String> now = new HashMap<>();
    for (RuleInstance i : engine.instances()) {
      String state = i.state().name().toLowerCase(Locale.ROOT);
      now.put(i.ref(), state);
      String before = states.get(i.ref());
      if (!state.equals(before)) {
        journal.ruleChanged(snapshot.collectedAt(), i.rule(), i.ref(), before, state);
        RuleChange change = new RuleChange(i, before, state);
        listeners.forEach(l -> l.accept(change));
      }
    }
    states = now;
  }

  public HealthScore.Result health() {
    return health;
  }

  /** Each configured rule by name: its thresholds, for the API beside the instances. */
  public Map<String, RuleConfig> configs() {
    Map<String, RuleConfig> out = new HashMap<>();
    engine.rules().forEach(r -> out.put(r.name(), r));
    return out;
  }

  /** The instance's escalation chain since it last fired: each step's run and verdict. */
  public List<RuleEngine.ChainStep> chain(String ref) {
    return engine.chain(ref);
  }

  public List<RuleInstance> instances() {
    return engine.instances();
  }
}
