package io.caretaker.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caretaker.testing.AgentProcess;
import io.caretaker.testing.ExternalServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop with the real stack: Prometheus scrapes the agent and fires an alert with a {@code
 * remediate} label, Alertmanager (routing as alerts/alertmanager.example.yml does) calls the
 * agent's webhook with a bearer token, and the agent runs the routed action on a temp directory.
 */
class EndToEndIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  @Test
  void alertFromPrometheusThroughAlertmanagerRunsTheActionOnThisHost() throws Exception {
    Path logs = Files.createDirectories(dir.resolve("logs"));
    Path old = Files.writeString(logs.resolve("feed.log.3"), "old line\n");
    Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofDays(30))));
    Path current = Files.writeString(logs.resolve("feed.log"), "current line\n");
    Files.setLastModifiedTime(current, FileTime.from(Instant.now().minus(Duration.ofDays(1))));

    Path config =
        Files.writeString(
            dir.resolve("caretaker.yml"),
            """
        agent: { data_dir: %s, instance: e2e }
        server: { port: 0, tokens: [e2e-token] }
        collect: { interval: 1s }
        actions:
          log-cleanup: { type: file-retention, roots: [%s], delete_after: 7d, active_grace: 1m }
        alertmanager:
          match_instance: true
          routes: [ { matchers: ['remediate=~".+"'], action_from_label: remediate } ]
        """
                .formatted(dir.resolve("data"), logs));
    try (AgentProcess agent = AgentProcess.start(dir, "serve", "--config", config.toString())) {
      int agentPort = agent.awaitPort();
      int amPort = ExternalServer.freePort();
      int promPort = ExternalServer.freePort();
      Path amDir = Files.createDirectories(dir.resolve("alertmanager"));
      Files.writeString(amDir.resolve("token"), "e2e-token");
      Files.writeString(
          amDir.resolve("alertmanager.yml"),
          """
          route:
            receiver: default
            routes:
              - matchers: ['remediate=~".+"']
                receiver: caretaker
                group_by: [alertname, instance]
                group_wait: 1s
                group_interval: 2s
                repeat_interval: 1h
          receivers:
            - name: default
            - name: caretaker
              webhook_configs:
                - url: http://127.0.0.1:%d/api/v1/alertmanager
                  http_config:
                    authorization: { type: Bearer, credentials_file: %s }
          """
              .formatted(agentPort, amDir.resolve("token")));
      Path promDir = Files.createDirectories(dir.resolve("prometheus"));
      Files.writeString(
          promDir.resolve("rules.yml"),
          """
          groups:
            - name: e2e
              rules:
                - alert: HostDiskAlmostFull
                  expr: host_memory_total_bytes{job="caretaker"} > 0
                  labels: { severity: critical, remediate: log-cleanup }
                  annotations: { summary: "stands in for a full disk" }
          """);
      Files.writeString(
          promDir.resolve("prometheus.yml"),
          """
          global: { scrape_interval: 1s, evaluation_interval: 1s }
          rule_files: [rules.yml]
          alerting:
            alertmanagers: [ { static_configs: [ { targets: ["127.0.0.1:%d"] } ] } ]
          scrape_configs:
            - job_name: caretaker
              static_configs: [ { targets: ["127.0.0.1:%d"] } ]
          """
              .formatted(amPort, agentPort));
      try (ExternalServer am = ExternalServer.alertmanager(amDir, amPort);
          ExternalServer prom = ExternalServer.prometheus(promDir, promPort)) {
        String agentUrl = "http://127.0.0.1:" + agentPort;
        AtomicReference<JsonNode> run = new AtomicReference<>();
        await()
            .atMost(Duration.ofSeconds(60))
            .untilAsserted(
                () -> {
                  JsonNode runs =
                      JSON.readTree(get(agentUrl + "/api/v1/runs?action=log-cleanup")).path("runs");
                  assertThat(runs).isNotEmpty();
                  run.set(runs.get(runs.size() - 1));
                  assertThat(run.get().path("finished_at").isTextual()).isTrue();
                });
        JsonNode record = run.get();
        assertThat(record.path("trigger").path("type").asText()).isEqualTo("alert");
        assertThat(record.path("trigger").path("ref").asText()).startsWith("HostDiskAlmostFull ");
        assertThat(record.path("outcome").asText()).isEqualTo("success");
        assertThat(record.path("details").path("files_deleted").asInt()).isEqualTo(1);
        assertThat(old).doesNotExist();
        assertThat(current).exists();

        JsonNode alert = JSON.readTree(am.get("/api/v2/alerts")).get(0);
        Instant startsAt = Instant.parse(alert.path("startsAt").asText());
        Instant finished = Instant.parse(record.path("finished_at").asText());
        Instant started = Instant.parse(record.path("started_at").asText());
        System.out.printf(
            "end to end: alert startsAt -> action finished %d ms (the run itself"
                + " %d ms; the rest is Alertmanager's group_wait and its call)%n",
            Duration.between(startsAt, finished).toMillis(),
            Duration.between(started, finished).toMillis());
        assertThat(record.path("trigger").path("ref").asText())
            .endsWith(alert.path("fingerprint").asText());
      }
    }
  }

  private static String get(String url) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
