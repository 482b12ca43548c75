package io.caretaker.metrics;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Label;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One gauge or counter sample of a snapshot, by its exposed name ({@code _total} for counters). */
public record Series(String name, Map<String, String> labels, double value) {

  /** The gauge and counter series of {@code names} in {@code metrics}, grouped by name. */
  public static Map<String, List<Series>> index(MetricSnapshots metrics, Set<String> names) {
    Map<String, List<Series>> out = new HashMap<>();
    for (MetricSnapshot m : metrics) {
      String base = m.getMetadata().getPrometheusName();
      String name = m instanceof CounterSnapshot ? base + "_total" : base;
      if (!names.contains(name) || !(m instanceof GaugeSnapshot || m instanceof CounterSnapshot)) {
        continue;
      }
      List<Series> list = out.computeIfAbsent(name, n -> new ArrayList<>());
      for (DataPointSnapshot p : m.getDataPoints()) {
        list.add(new Series(name, labels(p), value(p)));
      }
    }
    return out;
  }

  private static Map<String, String> labels(DataPointSnapshot p) {
    Map<String, String> labels = new LinkedHashMap<>();
    for (Label l : p.getLabels()) {
      labels.put(l.getName(), l.getValue());
    }
    return labels;
  }

  private static double value(DataPointSnapshot p) {
    return p instanceof GaugeDataPointSnapshot g
        ? g.getValue()
        : ((CounterDataPointSnapshot) p).getValue();
  }
}
