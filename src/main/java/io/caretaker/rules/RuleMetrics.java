package io.caretaker.rules;

import io.caretaker.config.RuleConfig;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code caretaker_rule_state} (one series per rule instance, labelled with the rule and the
 * instance's own labels), {@code caretaker_health_score}, and {@code caretaker_remediation_total}.
 * State and score are rebuilt once per cycle.
 */
public final class RuleMetrics implements MultiCollector {
  private final Counter remediations;
  private volatile MetricSnapshots current = MetricSnapshots.of();

  public RuleMetrics(PrometheusRegistry registry, List<RuleConfig> rules) {
    remediations =
        Counter.builder()
            .name("caretaker_remediation_total")
            .help(
                "Rule-started action runs by whether the rule instance recovered within "
                    + RuleEngine.RECOVERY_CYCLES
                    + " cycles after.")
            .labelNames("rule", "action", "result")
            .register(registry);
    for (RuleConfig rule : rules) {
      List<String> actions = new ArrayList<>(rule.warningActions());
      actions.addAll(rule.criticalActions());
      for (String action : actions) {
        remediations.labelValues(rule.name(), action, "recovered");
        remediations.labelValues(rule.name(), action, "not_recovered");
      }
    }
    registry.register(this);
  }

  public void remediated(RuleEngine.Remediation r) {
    remediations
        .labelValues(r.rule(), r.action(), r.recovered() ? "recovered" : "not_recovered")
        .inc();
  }

  /** Publishes this cycle's rule states and health score. */
  public void update(List<RuleInstance> instances, HealthScore.Result health) {
    GaugeSnapshot.Builder states =
        GaugeSnapshot.builder()
            .name("caretaker_rule_state")
            .help("Rule instance state: 0 ok, 1 pending, 2 warning, 3 critical.");
    for (RuleInstance i : instances) {
      Labels labels = Labels.of("rule", i.rule());
      for (Map.Entry<String, String> e : i.labels().entrySet()) {
        labels = labels.add(e.getKey().equals("rule") ? "exported_rule" : e.getKey(), e.getValue());
      }
      states.dataPoint(
          GaugeDataPointSnapshot.builder().labels(labels).value(i.state().ordinal()).build());
    }
    GaugeSnapshot score =
        GaugeSnapshot.builder()
            .name("caretaker_health_score")
            .help(
                "Health score 0-100: 100 minus 25 per critical and 10 per warning rule instance, minus 15 per resource (cpu, memory, fullest filesystem) at or above 90% and 5 at or above 80%.")
            .dataPoint(GaugeDataPointSnapshot.builder().value(health.score()).build())
            .build();
    current = MetricSnapshots.of(states.build(), score);
  }

  @Override
  public MetricSnapshots collect() {
    return current;
  }
}
