package io.caretaker.triggers;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.caretaker.config.ConfigLoader;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.Set;

/**
 * Any webhook body: parsed and routed, or refused with {@link AlertPayload.InvalidPayload}; nothing
 * else escapes (which the HTTP layer would answer with a 500). Inputs start from real Alertmanager
 * bodies (WebhookBodyFuzzTestInputs/).
 */
class WebhookBodyFuzzTest {
  private static final AlertRouter ROUTER =
      new AlertRouter(
          ConfigLoader.parse(
                  "t.yml",
                  """
      actions:
        fix: { type: command, argv: ["true"] }
      alertmanager:
        routes:
          - { matchers: ['alertname=~"Host.*"', 'severity!="info"'], action: fix }
          - { matchers: ['remediate=~".+"'], action_from_label: remediate }
      """,
                  Map.of())
              .alertmanager(),
          Set.of("fix"),
          InstanceIdentity.ofThisHost("t"),
          Clock.systemUTC(),
          new PrometheusRegistry());

  @FuzzTest
  void webhookBody(byte[] body) {
    try {
      ROUTER.route(AlertPayload.parse(body));
    } catch (AlertPayload.InvalidPayload expected) {
      // refused with a reason: a 400
    }
  }
}
