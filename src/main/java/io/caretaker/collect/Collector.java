package io.caretaker.collect;

import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;

/**
 * Reads one group of metrics. Plain blocking Java: the {@link CollectionLoop} calls it on its own
 * thread, times it, and cuts it off after the collect timeout. A collector never runs twice at
 * once; it throws on failure and the loop drops its values for that cycle.
 */
public interface Collector {
  /** Short, stable name used as the {@code collector} label ("cpu", "filesystem"). */
  String name();

  List<MetricSnapshot> collect() throws Exception;
}
