package io.caretaker.trading;

import static io.caretaker.collect.Samples.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.caretaker.metrics.LabelCap;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventBodyTest {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final TradingEvents events = new TradingEvents(registry, new LabelCap(2, registry));

  private EventBody.Result ingest(String body) {
    return EventBody.ingest(body.getBytes(StandardCharsets.UTF_8), events);
  }

  private double orders(String status, String side, String venue) {
    return value(
            registry.scrape(),
            "trading_orders_total",
            "side",
            side,
            "status",
            status,
            "venue",
            venue)
        .orElse(0);
  }

  @Test
  void ndjsonCountsValidLinesAndRejectsOthersWithTheirLineNumbers() {
    EventBody.Result r =
        ingest(
            """
        {"type":"order","status":"filled","side":"buy","venue":"XNAS","symbol":"AAPL","latency_ms":1.7}
        {"type":"order","status":"teleported","side":"buy","venue":"XNAS"}

        not json at all
        {"type":"order","status":"rejected","side":"sell","venue":"XNAS","reason":"price band"}
        {"type":"quote"}
        """);
    assertThat(r.accepted()).isEqualTo(2);
    assertThat(r.rejected())
        .containsExactly(
            Map.of("line", 2, "error", OrderEvent.Rejection.BAD_STATUS.message),
            Map.of("line", 4, "error", OrderEvent.Rejection.MALFORMED.message),
            Map.of("line", 6, "error", OrderEvent.Rejection.UNKNOWN_TYPE.message));
    assertThat(orders("filled", "buy", "XNAS")).isEqualTo(1);
    assertThat(orders("rejected", "sell", "XNAS")).isEqualTo(1);
    assertThat(value(registry.scrape(), "trading_events_rejected_total", "reason", "malformed"))
        .hasValue(1);
    HistogramSnapshot latency =
        (HistogramSnapshot)
            registry.scrape().stream()
                .filter(m -> m.getMetadata().getName().equals("trading_order_latency_seconds"))
                .findFirst()
                .orElseThrow();
    assertThat(latency.getDataPoints().get(0).getCount()).isEqualTo(1);
    assertThat(latency.getDataPoints().get(0).getSum()).isEqualTo(0.0017);
  }

  @Test
  void arraysAndSingleObjectsSpanningLinesWork() {
    assertThat(
            ingest(
                    """
        [ {"type":"order","status":"submitted","side":"buy","venue":"XNYS"},
          42,
          {"type":"order","status":"submitted","side":"sell","venue":"XNYS","latency_ms":-1} ]
        """)
                .rejected())
        .containsExactly(
            Map.of("line", 2, "error", OrderEvent.Rejection.MALFORMED.message),
            Map.of("line", 3, "error", OrderEvent.Rejection.BAD_LATENCY.message));
    assertThat(
            ingest(
                    """
        {
          "type": "order", "status": "cancelled",
          "side": "buy", "venue": "XNYS"
        }
        """)
                .accepted())
        .isEqualTo(1);
    assertThat(orders("submitted", "buy", "XNYS")).isEqualTo(1);
    assertThat(orders("cancelled", "buy", "XNYS")).isEqualTo(1);
  }

  @Test
  void venuesBeyondTheCapAreCountedAsOther() {
    for (String venue : List.of("A", "B", "C", "D")) {
      ingest(
          "{\"type\":\"order\",\"status\":\"filled\",\"side\":\"buy\",\"venue\":\""
              + venue
              + "\"}");
    }
    assertThat(orders("filled", "buy", "A")).isEqualTo(1);
    assertThat(orders("filled", "buy", "B")).isEqualTo(1);
    assertThat(orders("filled", "buy", "other")).isEqualTo(2);
    assertThat(value(registry.scrape(), "trading_label_values_dropped_total", "label", "venue"))
        .hasValue(2);
  }

  @Test
  void aMalformedArrayIsRejectedWhole() {
    EventBody.Result r = ingest("[{\"type\":\"order\"");
    assertThat(r.accepted()).isZero();
    assertThat(r.rejected())
        .singleElement()
        .satisfies(
            x -> assertThat((String) x.get("error")).startsWith("the JSON array is malformed"));
  }
}
