package io.caretaker.trading;

import io.caretaker.collect.LabelCap;
import io.caretaker.trading.OrderEvent.Rejection;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * Counts order events, from HTTP or the Redis stream, into {@code trading_orders_total},
 * {@code trading_order_latency_seconds} and {@code trading_events_rejected_total}. Venues beyond
 * {@code trading.max_label_values} are counted under venue {@value #OTHER_VENUE}.
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
    orders = Counter.builder().name("trading_orders_total")
        .help("Order events by status, side and venue.")
        .labelNames("status", "side", "venue").register(registry);
    latency = Histogram.builder().name("trading_order_latency_seconds")
        .help("Order latency reported by order events, per venue.").unit(Unit.SECONDS)
        .classicUpperBounds(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
            0.1, 0.25, 0.5, 1, 2.5)
        .labelNames("venue").register(registry);
    rejected = Counter.builder().name("trading_events_rejected_total")
        .help("Events refused, by reason.").labelNames("reason").register(registry);
    for (Rejection r : Rejection.values()) {
      rejected.labelValues(r.label());
    }
  }

  public void count(OrderEvent e) {
    String venue = cap.admit("venue", e.venue()) ? e.venue() : OTHER_VENUE;
    orders.labelValues(e.status(), e.side(), venue).inc();
    e.latencyMs().ifPresent(ms -> latency.labelValues(venue).observe(ms / 1000.0));
  }

  public void reject(Rejection reason) {
    rejected.labelValues(reason.label()).inc();
  }
}
