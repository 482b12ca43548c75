package io.caretaker.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.caretaker.testing.AgentProcess;
import io.caretaker.testing.ExternalServer;
import io.caretaker.testing.Tools;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole chain, real parts: a feed process Prometheus scrapes, an alert rule on its being down,
 * Alertmanager paging a receiver the test counts, and the agent restarting the feed. Restarted with
 * {@code silence: true}, the alert fires in Prometheus and pages no one; restarted without it, the
 * same chain pages (so the silent zero is not a broken chain).
 */
class NoSelfInflictedPageIT {
  private static final String TOKEN = "page-token";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  // Long on purpose: four real processes wired together, then two restarts.
  void aRestartUnderASilencePagesNoOneAndTheSameRestartWithoutOneDoes() throws Exception {
    Path python = Tools.require("python3", "python3");
    AtomicInteger pages = new AtomicInteger();
    HttpServer pager = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    pager.createContext(
        "/page",
        exchange -> {
          pages.incrementAndGet();
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    pager.start();
    int feedPort = ExternalServer.freePort();
    int amPort = ExternalServer.freePort();
    int promPort = ExternalServer.freePort();
    Path feedDir = Files.createDirectories(dir.resolve("feed"));
    Files.writeString(feedDir.resolve("metrics"), "feed_ticks_total 1\n");
    Path pidfile = dir.resolve("feed.pid");
    String startFeed =
        "nohup %s -m http.server %d --bind 127.0.0.1 --directory %s >/dev/null 2>&1 & echo $! > %s"
            .formatted(python, feedPort, feedDir, pidfile);
    new ProcessBuilder("sh", "-c", startFeed).start().waitFor();
    String restart = "kill $(cat " + pidfile + "); sleep 5; " + startFeed;
    try {
      Path amDir = Files.createDirectories(dir.resolve("alertmanager"));
      Files.writeString(
          amDir.resolve("alertmanager.yml"),
          """
          route:
            receiver: pager
            group_by: [alertname]
            group_wait: 1s
            group_interval: 1s
            repeat_interval: 1h
          receivers:
            - name: pager
              webhook_configs: [ { url: "http://127.0.0.1:%d/page", send_resolved: false } ]
          """
              .formatted(pager.getAddress().getPort()));
      Path promDir = Files.createDirectories(dir.resolve("prometheus"));
      Files.writeString(
          promDir.resolve("rules.yml"),
          """
          groups:
            - name: feed
              rules:
                - alert: FeedDown
                  expr: up{job="feed"} == 0
                  labels: { severity: critical }
          """);
      Files.writeString(
          promDir.resolve("prometheus.yml"),
          """
          global: { scrape_interval: 1s, evaluation_interval: 1s }
          rule_files: [rules.yml]
          alerting:
            alertmanagers: [ { static_configs: [ { targets: ["127.0.0.1:%d"] } ] } ]
          scrape_configs:
            - job_name: feed
              static_configs: [ { targets: ["127.0.0.1:%d"] } ]
          """
              .formatted(amPort, feedPort));
      Path config =
          Files.writeString(
              dir.resolve("caretaker.yml"),
              """
              agent: { data_dir: %s }
              server: { port: 0, tokens: [%s] }
              actions:
                restart-feed: { type: command, silence: true, cooldown: 0s, timeout: 30s,
                                argv: [sh, -c, "%s"] }
                restart-feed-loud: { type: command, cooldown: 0s, timeout: 30s,
                                     argv: [sh, -c, "%3$s"] }
              alertmanager:
                silence: { url: "http://127.0.0.1:%d", matchers: ['job="feed"'], margin: 8s }
              """
                  .formatted(dir.resolve("data"), TOKEN, restart, amPort));
      try (AgentProcess agent = AgentProcess.start(dir, "serve", "-c", config.toString());
          ExternalServer am = ExternalServer.alertmanager(amDir, amPort);
          ExternalServer prom = ExternalServer.prometheus(promDir, promPort)) {
        int port = agent.awaitPort();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> query(prom, "up{job=\"feed\"} == 1").size() == 1);

        assertThat(run(port, "restart-feed")).isEqualTo("success");
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    !query(prom, "count_over_time(ALERTS{alertname=\"FeedDown\"}[2m])").isEmpty());
        // the alert resolves within the silence's margin; after it, no page came
        await()
            .during(Duration.ofSeconds(12))
            .atMost(Duration.ofSeconds(20))
            .until(() -> pages.get() == 0);

        assertThat(run(port, "restart-feed-loud")).isEqualTo("success");
        await("without a silence the same restart pages")
            .atMost(Duration.ofSeconds(30))
            .until(() -> pages.get() > 0);
      }
    } finally {
      pager.stop(0);
      new ProcessBuilder("sh", "-c", "kill $(cat " + pidfile + ")").start().waitFor();
    }
  }

  private static String run(int port, String action) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:"
                            + port
                            + "/api/v1/actions/"
                            + action
                            + "/run?wait=true"))
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body()).path("outcome").asText();
  }

  private static JsonNode query(ExternalServer prom, String q) throws Exception {
    return JSON.readTree(
            prom.get("/api/v1/query?query=" + URLEncoder.encode(q, StandardCharsets.UTF_8)))
        .path("data")
        .path("result");
  }
}
