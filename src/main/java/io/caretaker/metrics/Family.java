package io.caretaker.metrics;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds one metric family's snapshot in the client's own data model, in one chain:
 *
 * <pre>{@code
 * Family.counter("host_network_receive_bytes_total", "Bytes received.", "interface")
 *     .add(1234, "eth0")
 *     .toSnapshot();
 * }</pre>
 *
 * The unit (seconds, bytes, ratio) follows from the name; counters are named with their {@code
 * _total} suffix. A second sample with the same labels is ignored (a mountpoint listed twice must
 * not break the exposition).
 */
public final class Family {
  private final boolean counter;
  private final String name;
  private final String help;
  private final String[] labelNames;
  private final List<Labels> labels = new ArrayList<>();
  private final List<Double> values = new ArrayList<>();
  private final Set<Labels> seen = new HashSet<>();

  private Family(boolean counter, String name, String help, String[] labelNames) {
    this.counter = counter;
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }

  public static Family gauge(String name, String help, String... labelNames) {
    return new Family(false, name, help, labelNames);
  }

  public static Family counter(String name, String help, String... labelNames) {
    if (!name.endsWith("_total")) {
      throw new IllegalArgumentException(name + ": counter names end in _total");
    }
    return new Family(true, name.substring(0, name.length() - "_total".length()), help, labelNames);
  }

  /** Adds a sample; {@code labelValues} in the order of the label names. */
  public Family add(double value, String... labelValues) {
    if (labelValues.length != labelNames.length) {
      throw new IllegalArgumentException(name + ": expected " + labelNames.length + " labels");
    }
    Labels l = Labels.of(labelNames, labelValues);
    if (seen.add(l)) {
      labels.add(l);
      values.add(value);
    }
    return this;
  }

  public MetricSnapshot toSnapshot() {
    Unit unit = unitOf(name);
    if (counter) {
      CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help).unit(unit);
      for (int i = 0; i < values.size(); i++) {
        b.dataPoint(
            CounterDataPointSnapshot.builder().labels(labels.get(i)).value(values.get(i)).build());
      }
      return b.build();
    }
    GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help).unit(unit);
    for (int i = 0; i < values.size(); i++) {
      b.dataPoint(
          GaugeDataPointSnapshot.builder().labels(labels.get(i)).value(values.get(i)).build());
    }
    return b.build();
  }

  private static Unit unitOf(String name) {
    if (name.endsWith("_seconds")) {
      return Unit.SECONDS;
    }
    if (name.endsWith("_bytes")) {
      return Unit.BYTES;
    }
    return name.endsWith("_ratio") ? Unit.RATIO : null;
  }
}
