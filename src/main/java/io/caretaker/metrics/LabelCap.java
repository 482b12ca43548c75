package io.caretaker.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Bounds the distinct values of each user-driven label (symbols, components) at {@code
 * trading.max_label_values}: values already admitted stay, new ones are admitted while there is
 * room, the rest are dropped and counted in {@code trading_label_values_dropped_total}.
 */
public final class LabelCap {
  private final int max;
  private final Map<String, Set<String>> admitted = new HashMap<>();
  private final Counter dropped;

  public LabelCap(int max, PrometheusRegistry registry) {
    this.max = max;
    this.dropped =
        Counter.builder()
            .name("trading_label_values_dropped_total")
            .help("Label values dropped because the label reached trading.max_label_values.")
            .labelNames("label")
            .register(registry);
  }

  /** For a pushed value: whether it may be used as a label value. */
  public synchronized boolean admit(String label, String value) {
    Set<String> values = admitted.computeIfAbsent(label, l -> new LinkedHashSet<>());
    if (values.contains(value) || values.size() < max && values.add(value)) {
      return true;
    }
    dropped.labelValues(label).inc();
    return false;
  }

  /**
   * For polled values (keys present now): the admitted ones. Values gone since the last poll free
   * their place; new ones fill free places in sorted order.
   */
  public synchronized Set<String> admitPresent(String label, Collection<String> present) {
    Set<String> values = admitted.computeIfAbsent(label, l -> new LinkedHashSet<>());
    values.retainAll(present instanceof Set ? present : new HashSet<>(present));
    for (String v : new TreeSet<>(present)) {
      if (values.size() >= max) {
        break;
      }
      values.add(v);
    }
    int refused = present.size() - values.size();
    if (refused > 0) {
      dropped.labelValues(label).inc(refused);
    }
    dropped.labelValues(label);
    return Set.copyOf(values);
  }

  /** Starts the label's drop counter at zero, so it is visible before the first drop. */
  public void declare(String label) {
    dropped.labelValues(label);
  }
}
