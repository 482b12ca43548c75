package io.caretaker.trading;

import io.caretaker.metrics.LabelCap;
import io.caretaker.trading.OrderEvent.Rejection;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts order events, from HTTP or the Redis stream, into {@code trading_orders_total}, {@code
 * trading_order_latency_seconds} and {@code trading_events_rejected_total}. Venues beyond {@code
 * trading.max_label_values} are counted under venue {@value #OTHER_VENUE}.
 */
public final class TradingEvents {
  static final String OTHER_VENUE = "other";

  private final LabelCap cap;
  private final Counter orders;
  private final Histogram latency;
  private final Counter rejected;

  public TradingEvents(PrometheusRegistry registry, LabelCap cap) {
    this.cap = cap;
    cap.declare("venue");
    orders =
        Counter.builder()
            .name("trading_orders_total")
            .help("Order events by status, side and venue.")
            .labelNames("status", "side", "venue")
            .register(registry);
    latency =
        Histogram.builder()
            .name("trading_order_latency_seconds")
            .help("Order latency reported by order events, per venue.")
            .unit(Unit.SECONDS)
            .classicUpperBounds(
                0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                2.5)
            .labelNames("venue")
            .register(registry);
    rejected =
        Counter.builder()
            .name("trading_events_rejected_total")
            .help("Events refused, by reason.")
            .labelNames("reason")
            .register(registry);
    for (Rejection r : Rejection.values()) {
      rejected.labelValues(r.label());
    }
  }

  /**
   * Counts a batch: one increment per distinct label set rather than per event (a stream batch
   * holds thousands of events over a handful of statuses, sides and venues).
   */
  public void countAll(List<OrderEvent> batch) {
    Map<List<String>, long[]> counts = new HashMap<>();
    Map<String, DistributionDataPoint> latencyByVenue = new HashMap<>();
    for (OrderEvent e : batch) {
      String venue = cap.admit("venue", e.venue()) ? e.venue() : OTHER_VENUE;
      counts.computeIfAbsent(List.of(e.status(), e.side(), venue), k -> new long[1])[0]++;
      if (e.latencyMs().isPresent()) {
        latencyByVenue
            .computeIfAbsent(venue, latency::labelValues)
            .observe(e.latencyMs().getAsDouble() / 1000.0);
      }
    }
    counts.forEach(
        (labels, n) -> orders.labelValues(labels.get(0), labels.get(1), labels.get(2)).inc(n[0]));
  }

  public void reject(Rejection reason) {
    rejected.labelValues(reason.label()).inc();
  }
}
