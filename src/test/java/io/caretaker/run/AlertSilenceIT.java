package io.caretaker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caretaker.actions.Action;
import io.caretaker.actions.RunRecord;
import io.caretaker.actions.RunRecord.Outcome;
import io.caretaker.actions.Trigger;
import io.caretaker.config.Config;
import io.caretaker.config.ConfigLoader;
import io.caretaker.config.MaintenanceConfig;
import io.caretaker.run.ActionExecutor.RunOptions;
import io.caretaker.testing.ExternalServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restart that would page someone, under a silence in a real Alertmanager the test starts: the
 * silence is there while the run goes on (created by caretaker, naming the run, matching this host)
 * and, once it ends, lasts only its margin more; an operator's maintenance silences until switched
 * off; with Alertmanager unreachable the run still runs.
 */
class AlertSilenceIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private ActionExecutor executor(String amUrl, Action restart) {
    Config config =
        ConfigLoader.parse(
            "t.yml",
            """
            actions:
              restart-feed: { type: health-report, silence: true, timeout: 1m }
            alertmanager:
              silence: { url: "%s", matchers: ['instance="trade-01:9100"'], margin: 1m }
            """
                .formatted(amUrl),
            Map.of());
    return new ActionExecutor(
        config.actions(),
        Map.of("restart-feed", restart),
        new RunHistory(dir.resolve("runs-" + amUrl.hashCode() + ".jsonl"), 100),
        new Maintenance(new MaintenanceConfig(List.of())),
        new PrometheusRegistry(),
        Clock.systemUTC(),
        2,
        SafetyGuards.none(),
        new AlertSilencer(config.alertmanager().silence()));
  }

  /** A real Alertmanager on a free port, clustering off (no 9094). */
  private ExternalServer alertmanager() throws Exception {
    Path amDir = Files.createDirectories(dir.resolve("am"));
    Files.writeString(
        amDir.resolve("alertmanager.yml"),
        "route: { receiver: nobody }\nreceivers: [ { name: nobody } ]\n");
    int port = ExternalServer.freePort();
    return ExternalServer.alertmanager(amDir, port);
  }

  @Test
  void anOperatorsMaintenanceSilencesThisHostUntilItEnds() throws Exception {
    try (ExternalServer am = alertmanager()) {
      Config config =
          ConfigLoader.parse(
              "t.yml",
              "alertmanager:\n  silence: { url: \"%s\", matchers: ['instance=\"trade-01:9100\"'] }\n"
                  .formatted(am.url()),
              Map.of());
      Maintenance maintenance =
          new Maintenance(new MaintenanceConfig(List.of()))
              .silencing(new AlertSilencer(config.alertmanager().silence()));
      maintenance.set(
          new Maintenance.Manual(
              java.time.Instant.now().plus(Duration.ofHours(2)), "kernel upgrade"));
      JsonNode s = JSON.readTree(am.get("/api/v2/silences")).get(0);
      assertThat(s.path("status").path("state").asText()).isEqualTo("active");
      assertThat(s.path("comment").asText()).isEqualTo("caretaker maintenance: kernel upgrade");
      maintenance.set(null);
      assertThat(
              JSON.readTree(am.get("/api/v2/silences"))
                  .get(0)
                  .path("status")
                  .path("state")
                  .asText())
          .isEqualTo("expired");

      // a configured window silences too, once, when it opens
      Config windows =
          ConfigLoader.parse(
              "t.yml",
              "maintenance: { windows: [ { cron: \"0 0 * * *\", duration: 24h } ] }\n",
              Map.of());
      Maintenance window =
          new Maintenance(windows.maintenance())
              .silencing(new AlertSilencer(config.alertmanager().silence()));
      java.time.Instant now = java.time.Instant.now();
      window.tick(now);
      window.tick(now.plusSeconds(5));
      long windowSilences = 0;
      for (JsonNode x : JSON.readTree(am.get("/api/v2/silences"))) {
        if (x.path("comment").asText().equals("caretaker maintenance window")
            && x.path("status").path("state").asText().equals("active")) {
          windowSilences++;
        }
      }
      assertThat(windowSilences).isEqualTo(1);
    }
  }

  @Test
  void aRunThatWouldPageRunsUnderASilenceThatEndsWithIt() throws Exception {
    try (ExternalServer am = alertmanager()) {
      CountDownLatch restarting = new CountDownLatch(1);
      CountDownLatch done = new CountDownLatch(1);
      try (ActionExecutor executor =
          executor(
              am.url(),
              ctx -> {
                restarting.countDown();
                done.await(30, TimeUnit.SECONDS);
                return Map.of();
              })) {
        var run = executor.submit("restart-feed", Trigger.schedule("every-12h"), RunOptions.NORMAL);
        assertThat(restarting.await(10, TimeUnit.SECONDS)).isTrue();
        JsonNode silences = JSON.readTree(am.get("/api/v2/silences"));
        assertThat(silences).hasSize(1);
        JsonNode s = silences.get(0);
        assertThat(s.path("status").path("state").asText()).isEqualTo("active");
        assertThat(s.path("createdBy").asText()).isEqualTo("caretaker");
        assertThat(s.path("comment").asText())
            .isEqualTo("caretaker run " + run.id() + " of restart-feed (schedule every-12h)");
        assertThat(s.path("matchers").get(0).path("name").asText()).isEqualTo("instance");
        assertThat(s.path("matchers").get(0).path("value").asText()).isEqualTo("trade-01:9100");
        java.time.Instant worstCase = java.time.Instant.parse(s.path("endsAt").asText());
        done.countDown();
        assertThat(run.result().get(10, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.SUCCESS);
        // The run ended: the silence now ends a margin from there, not at the worst case
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> {
                  for (JsonNode x : JSON.readTree(am.get("/api/v2/silences"))) {
                    if (x.path("status").path("state").asText().equals("active")
                        && x.path("comment").asText().startsWith("caretaker run " + run.id())
                        && java.time.Instant.parse(x.path("endsAt").asText())
                            .isBefore(worstCase.minusSeconds(30))) {
                      return true;
                    }
                  }
                  return false;
                });
      }
    }
  }

  @Test
  void withAlertmanagerUnreachableTheRunStillRuns() throws Exception {
    int closed = ExternalServer.freePort();
    try (ActionExecutor executor = executor("http://127.0.0.1:" + closed, ctx -> Map.of())) {
      RunRecord r =
          executor
              .submit("restart-feed", Trigger.schedule("every-12h"), RunOptions.NORMAL)
              .result()
              .get(20, TimeUnit.SECONDS);
      assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
    }
  }
}
