package io.caretaker.collect;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.OptionalDouble;

/** Test helper: one sample's value from snapshots, by exposition name and label pairs. */
public final class Samples {
  private Samples() {}

  public static OptionalDouble value(MetricSnapshots all, String name, String... labelPairs) {
    Labels wanted = Labels.of(labelPairs);
    for (MetricSnapshot m : all) {
      String base = m.getMetadata().getPrometheusName();
      String exposed = m instanceof CounterSnapshot ? base + "_total" : base;
      if (!exposed.equals(name)) {
        continue;
      }
      for (DataPointSnapshot p : m.getDataPoints()) {
        if (p.getLabels().equals(wanted)) {
          return OptionalDouble.of(p instanceof GaugeSnapshot.GaugeDataPointSnapshot g
              ? g.getValue() : ((CounterSnapshot.CounterDataPointSnapshot) p).getValue());
        }
      }
    }
    return OptionalDouble.empty();
  }

  public static boolean has(MetricSnapshots all, String name) {
    return all.stream().anyMatch(m -> m.getMetadata().getPrometheusName().equals(name));
  }
}
