package io.caretaker.collect;

import io.caretaker.metrics.Series;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/** Test helper: one sample's value from snapshots, by exposition name and exact label pairs. */
public final class Samples {
  private Samples() {}

  public static OptionalDouble value(MetricSnapshots all, String name, String... labelPairs) {
    Map<String, String> wanted = new HashMap<>();
    Labels.of(labelPairs).forEach(l -> wanted.put(l.getName(), l.getValue()));
    return Series.index(all, Set.of(name)).getOrDefault(name, List.of()).stream()
        .filter(s -> s.labels().equals(wanted))
        .mapToDouble(Series::value)
        .findFirst();
  }

  public static boolean has(MetricSnapshots all, String name) {
    return all.stream().anyMatch(m -> m.getMetadata().getPrometheusName().equals(name));
  }
}
