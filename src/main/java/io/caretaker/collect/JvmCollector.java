package io.caretaker.collect;

import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryPoolAllocationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;

/**
 * The Prometheus client's own {@code jvm_*} and {@code process_*} metrics for this agent, read once
 * per cycle like everything else instead of on every scrape (thread states alone cost a thread dump
 * each time). All of JvmMetrics' parts but native memory: that one asks the platform MBean server
 * for NMT's summary, which starts the server and its beans (about 130 classes) to learn that NMT is
 * off, as it is unless -XX:NativeMemoryTracking is given.
 */
public final class JvmCollector implements Collector {
  private final PrometheusRegistry jvm = new PrometheusRegistry();

  public JvmCollector() {
    JvmThreadsMetrics.builder().register(jvm);
    JvmBufferPoolMetrics.builder().register(jvm);
    JvmClassLoadingMetrics.builder().register(jvm);
    JvmCompilationMetrics.builder().register(jvm);
    JvmGarbageCollectorMetrics.builder().register(jvm);
    JvmMemoryPoolAllocationMetrics.builder().register(jvm);
    JvmMemoryMetrics.builder().register(jvm);
    JvmRuntimeInfoMetric.builder().register(jvm);
    ProcessMetrics.builder().register(jvm);
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
