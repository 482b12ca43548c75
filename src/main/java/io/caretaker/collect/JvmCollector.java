package io.caretaker.collect;

import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;

/**
 * The Prometheus client's own {@code jvm_*} and {@code process_*} metrics for this agent, read once
 * per cycle like everything else instead of on every scrape (thread states alone cost a thread dump
 * each time).
 */
public final class JvmCollector implements Collector {
  private final PrometheusRegistry jvm = new PrometheusRegistry();

  public JvmCollector() {
    JvmMetrics.builder().register(jvm);
  }

  @Override
  public String name() {
    return "jvm";
  }

  @Override
  public List<MetricSnapshot> collect() {
    return jvm.scrape().stream().toList();
  }
}
