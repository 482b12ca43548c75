package io.caretaker.trading;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.caretaker.metrics.LabelCap;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** Any pushed events body (object, array, NDJSON) is counted or rejected; nothing throws. */
class EventBodyFuzzTest {
  private static final PrometheusRegistry REGISTRY = new PrometheusRegistry();
  private static final TradingEvents EVENTS =
      new TradingEvents(REGISTRY, new LabelCap(10, REGISTRY));

  @FuzzTest
  void eventsBody(byte[] body) {
    EventBody.ingest(body, EVENTS);
  }
}
