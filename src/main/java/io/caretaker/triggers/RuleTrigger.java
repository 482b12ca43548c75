package io.caretaker.triggers;

import io.caretaker.actions.RunRecord;
import io.caretaker.actions.Trigger;
import io.caretaker.collect.Snapshot;
import io.caretaker.rules.HealthScore;
import io.caretaker.rules.RuleEngine;
import io.caretaker.rules.RuleInstance;
import io.caretaker.rules.RuleMetrics;
import io.caretaker.run.ActionExecutor;
import io.caretaker.run.ActionExecutor.RunOptions;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;

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
  private volatile HealthScore.Result health = HealthScore.compute(List.of(), MetricSnapshots.of());

  public RuleTrigger(RuleEngine engine, RuleMetrics metrics, ActionExecutor executor) {
    this.engine = engine;
    this.metrics = metrics;
    this.executor = executor;
  }

  /** For {@code CollectionLoop.addListener}. */
  public void evaluate(Snapshot snapshot) {
    RuleEngine.Evaluation evaluation = engine.evaluate(snapshot.metrics(), snapshot.collectedAt());
    evaluation.remediations().forEach(metrics::remediated);
    for (RuleEngine.Submission s : evaluation.submissions()) {
      for (String action : s.actions()) {
        executor
            .submit(action, Trigger.rule(s.ref()), RunOptions.NORMAL)
            .result()
            .thenAccept(
                r -> {
                  if (r.outcome() != RunRecord.Outcome.SKIPPED) {
                    engine.actionFinished(s.ref(), action);
                  }
                });
      }
    }
    health = HealthScore.compute(engine.instances(), snapshot.metrics());
    metrics.update(engine.instances(), health);
  }

  public HealthScore.Result health() {
    return health;
  }

  public List<RuleInstance> instances() {
    return engine.instances();
  }
}
