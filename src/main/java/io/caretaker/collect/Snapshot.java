package io.caretaker.collect;

import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Instant;

/** The result of one complete collection cycle: what {@code /metrics} serves until the next. */
public record Snapshot(Instant collectedAt, MetricSnapshots metrics) {}
