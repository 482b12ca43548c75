package io.caretaker.triggers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caretaker.config.Config;
import io.caretaker.config.ConfigLoader;
import io.caretaker.testing.MutableClock;
import io.caretaker.triggers.AlertRouter.Decision;
import io.caretaker.triggers.AlertRouter.Ignored;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/**
 * Routing of real Alertmanager 0.25 bodies (shared/fixtures/alertmanager, copied into the test
 * resources).
 */
class AlertRouterTest {
  private static final Path FIXTURES = Path.of("src/test/resources/fixtures/alertmanager");
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T08:18:27Z"));
  private final PrometheusRegistry registry = new PrometheusRegistry();

  private AlertRouter router(String alertmanager) {
    Config config =
        ConfigLoader.parse(
            "am.yml",
            """
        actions:
          log-cleanup: { type: command, argv: ["true"] }
          disk-report: { type: command, argv: ["true"] }
        alertmanager:
        """
                + alertmanager.indent(2),
            Map.of());
    return new AlertRouter(
        config.alertmanager(),
        config.actions().keySet(),
        new InstanceIdentity(Set.of("vm1", "127.0.0.1")),
        clock,
        registry);
  }

  private static AlertPayload fixture(String name) throws Exception {
    return AlertPayload.parse(Files.readAllBytes(FIXTURES.resolve(name + ".json")));
  }

  private static AlertPayload body(String json) throws Exception {
    return AlertPayload.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void firingGroupTriggersEachAlertAndTheRepeatIsDeduplicated() throws Exception {
    AlertRouter router =
        router(
            """
        routes: [ { matchers: ['remediate=~".+"'], action_from_label: remediate } ]
        """);
    List<Decision> first = router.route(fixture("firing-grouped"));
    assertThat(first)
        .extracting(Decision::actions)
        .containsExactly(List.of("log-cleanup"), List.of("log-cleanup"));
    assertThat(first.get(0).ref()).isEqualTo("HostDiskAlmostFull 16b84b6f4efd8af9");

    clock.advance(Duration.ofSeconds(3)); // Alertmanager's repeat_interval in the fixtures
    assertThat(router.route(fixture("firing-repeat")))
        .extracting(Decision::ignored)
        .containsOnly(Optional.of(Ignored.DUPLICATE));
    assertThat(router.route(fixture("resolved-grouped")))
        .extracting(Decision::ignored)
        .containsOnly(Optional.of(Ignored.RESOLVED));

    clock.advance(Duration.ofMinutes(11)); // past the default 10m dedup window
    assertThat(router.route(fixture("firing-repeat")))
        .extracting(Decision::actions)
        .containsOnly(List.of("log-cleanup"));
    assertThat(registry.scrape().toString()).isNotEmpty();
  }

  @Test
  void firstMatchingRouteWinsAndOnResolvedLetsResolvedAlertsThrough() throws Exception {
    AlertRouter router =
        router(
            """
        routes:
          - { matchers: ['alertname="HostDiskAlmostFull"', 'mountpoint="/logs"'], action: disk-report, on_resolved: true }
          - { matchers: ['alertname=~"Host.*"', 'severity!="info"'], action: log-cleanup }
        """);
    assertThat(router.route(fixture("firing-grouped")))
        .extracting(Decision::actions)
        .containsExactly(List.of("log-cleanup"), List.of("disk-report"));
    assertThat(router.route(fixture("resolved-grouped")))
        .extracting(Decision::ignored, Decision::actions)
        .containsExactly(
            Tuple.tuple(Optional.of(Ignored.RESOLVED), List.of()),
            Tuple.tuple(Optional.empty(), List.of("disk-report")));
  }

  @Test
  void everyIgnoredAlertSaysWhy() throws Exception {
    AlertRouter router =
        router(
            """
        routes:
          - { matchers: ['alertname!~"Other|Noise"', 'remediate=~".+"'], action_from_label: remediate }
        """);
    List<Decision> d =
        router.route(
            body(
                """
        {"version": "4", "status": "firing", "alerts": [
          {"status": "firing", "labels": {"alertname": "A", "instance": "db7.example:9464", "remediate": "log-cleanup"}, "startsAt": "t", "fingerprint": "1"},
          {"status": "firing", "labels": {"alertname": "B", "host": "VM1", "remediate": "reboot"}, "startsAt": "t", "fingerprint": "2"},
          {"status": "firing", "labels": {"alertname": "Noise", "instance": "vm1:9100", "remediate": "log-cleanup"}, "startsAt": "t", "fingerprint": "3"},
          {"status": "firing", "labels": {"alertname": "C", "instance": "[::1]:9464"}, "startsAt": "t", "fingerprint": "4"},
          {"status": "firing", "labels": {"alertname": "D", "remediate": "log-cleanup"}, "startsAt": "t", "fingerprint": "5"},
          {"status": "firing", "labels": {"alertname": "E", "instance": "vm1:9464", "remediate": "log-cleanup"}, "startsAt": "t", "fingerprint": "6"}
        ]}
        """));
    assertThat(d)
        .extracting(Decision::ignored)
        .containsExactly(
            Optional.of(Ignored.OTHER_INSTANCE), Optional.of(Ignored.UNKNOWN_ACTION),
            Optional.of(Ignored.NO_ROUTE), Optional.of(Ignored.NO_ROUTE),
            Optional.of(Ignored.OTHER_INSTANCE), Optional.empty());
    assertThat(d.get(1).detail()).contains("remediate=\"reboot\"");
  }

  @Test
  void withoutMatchInstanceEveryHostsAlertActs() throws Exception {
    AlertRouter router =
        router(
            """
        match_instance: false
        routes: [ { matchers: ['alertname="A"'], action: log-cleanup } ]
        """);
    assertThat(
            router.route(
                body(
                    """
        {"alerts": [{"status": "firing", "labels": {"alertname": "A", "instance": "elsewhere:1"}}]}
        """)))
        .extracting(Decision::actions)
        .containsExactly(List.of("log-cleanup"));
  }

  /** What `rules export` writes for a level with several actions: remediate="a,b". */
  @Test
  void aRemediateLabelListingSeveralActionsRunsEachOrNoneWhenOneIsUnknown() throws Exception {
    AlertRouter router =
        router(
            """
        match_instance: false
        routes: [ { matchers: ['remediate=~".+"'], action_from_label: remediate } ]
        """);
    assertThat(
            router.route(
                body(
                    """
        {"alerts": [
          {"status": "firing", "fingerprint": "1", "labels": {"alertname": "A", "remediate": "log-cleanup,disk-report"}},
          {"status": "firing", "fingerprint": "2", "labels": {"alertname": "B", "remediate": "log-cleanup, nosuch"}}]}
        """)))
        .extracting(Decision::actions, Decision::ignored, Decision::detail)
        .containsExactly(
            Tuple.tuple(
                List.of("log-cleanup", "disk-report"),
                Optional.empty(),
                "routed by [remediate=~\".+\"]"),
            Tuple.tuple(
                List.of(),
                Optional.of(Ignored.UNKNOWN_ACTION),
                "label remediate=\"log-cleanup, nosuch\" names no configured action [nosuch]"));
  }

  @Test
  void badBodiesAreRefusedWithTheReason() {
    assertThatThrownBy(() -> body("{\"alerts\": [")).hasMessageStartingWith("malformed JSON");
    assertThatThrownBy(() -> body("[]")).hasMessageContaining("expecting a JSON object");
    assertThatThrownBy(() -> body("{\"version\": \"3\", \"alerts\": []}"))
        .hasMessageContaining("version");
    assertThatThrownBy(() -> body("{\"alerts\": {}}")).hasMessage("alerts: expecting an array");
    assertThatThrownBy(
            () ->
                body(
                    """
        {"alerts": [{"status": "firing", "labels": {}}, {"status": "pending", "labels": {}}]}
        """))
        .hasMessageStartingWith("alerts[1].status");
    assertThatThrownBy(
            () ->
                body(
                    """
        {"alerts": [{"status": "firing", "labels": {"a": 1}}]}
        """))
        .hasMessage("alerts[0].labels.a: expecting a string");
  }

  @Test
  void hostPartOfAnInstance() {
    assertThat(InstanceIdentity.host("Host-1:9100")).isEqualTo("host-1");
    assertThat(InstanceIdentity.host("[fe80::1]:9100")).isEqualTo("fe80:0:0:0:0:0:0:1");
    assertThat(InstanceIdentity.host("fe80::1")).isEqualTo("fe80:0:0:0:0:0:0:1");
    assertThat(InstanceIdentity.host("10.0.0.5")).isEqualTo("10.0.0.5");
  }

  @Test
  void theIpv6LoopbackInAnySpellingNamesThisHost() {
    InstanceIdentity me = InstanceIdentity.ofThisHost("trade-01");
    for (String instance : List.of("::1", "[::1]:9464", "0:0:0:0:0:0:0:1", "[0::1]:9100")) {
      assertThat(me.names(Map.of("instance", instance))).as(instance).isTrue();
    }
    assertThat(me.names(Map.of("instance", "[::2]:9464"))).isFalse();
  }
}
