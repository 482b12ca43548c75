package io.caretaker.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caretaker.testing.AgentProcess;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged agent as a separate process: secrets stay in, kill -9 loses no run record. */
class HardeningIT {
  private static final String TOKEN = "s3cret-agent-token-4711";
  private static final String REDIS_PASSWORD = "redis-pass-0815-xyz";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  private Path config(String actions) throws Exception {
    return Files.writeString(
        dir.resolve("caretaker.yml"),
        """
        agent: { data_dir: %s }
        server: { port: 0, tokens: ["${CARETAKER_TOKEN}"] }
        collect: { interval: 1s }
        actions:
        %s"""
            .formatted(dir.resolve("data"), actions.indent(2)));
  }

  private static HttpResponse<String> send(int port, String method, String path, String body)
      throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", "Bearer " + TOKEN)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aCommandPrintingItsEnvironmentShowsNoSecretOfTheAgent() throws Exception {
    Path yml =
        config(
            """
        show-env: { type: command, argv: ["/usr/bin/env"], env: { FEED_API_KEY: "feed-key-123456",
                    MODE: "safe" } }
        echo-token: { type: command, argv: ["/bin/echo", "%s"] }
        """
                .formatted(TOKEN));
    try (AgentProcess agent =
        AgentProcess.start(
            dir,
            Map.of("CARETAKER_TOKEN", TOKEN, "REDIS_PASSWORD", REDIS_PASSWORD),
            "serve",
            "--config",
            yml.toString())) {
      int port = agent.awaitPort();
      String env = send(port, "POST", "/api/v1/actions/show-env/run?wait=true", null).body();
      assertThat(env)
          .contains("MODE=safe")
          .contains("PATH=")
          .doesNotContain(TOKEN)
          .doesNotContain(REDIS_PASSWORD)
          .doesNotContain("feed-key-123456")
          .contains("FEED_API_KEY=[REDACTED]");
      send(port, "POST", "/api/v1/actions/echo-token/run?wait=true", null);
      String runs =
          HTTP.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/runs"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(runs).contains("echo-token").doesNotContain(TOKEN).doesNotContain(REDIS_PASSWORD);
    }
  }

  @Test
  void aKillDuringARunLeavesItRecordedAsInterruptedAndItsIdIsNotReused() throws Exception {
    Path yml =
        config(
            """
        slow: { type: command, argv: ["/bin/sleep", "60"], timeout: 5m }
        quick: { type: command, argv: ["/bin/true"] }
        """);
    long id;
    try (AgentProcess agent =
        AgentProcess.start(
            dir, Map.of("CARETAKER_TOKEN", TOKEN), "serve", "--config", yml.toString())) {
      int port = agent.awaitPort();
      id =
          new JsonObject(send(port, "POST", "/api/v1/actions/slow/run", null).body())
              .getLong("run_id");
      await()
          .untilAsserted(
              () ->
                  assertThat(
                          new JsonObject(send(port, "GET", "/api/v1/runs/" + id, null).body())
                              .getString("outcome"))
                      .isEqualTo("running"));
    } // close() is kill -9
    try (AgentProcess agent =
        AgentProcess.start(
            dir, Map.of("CARETAKER_TOKEN", TOKEN), "serve", "--config", yml.toString())) {
      int port = agent.awaitPort();
      JsonObject interrupted = new JsonObject(send(port, "GET", "/api/v1/runs/" + id, null).body());
      assertThat(interrupted.getString("outcome")).isEqualTo("failure");
      assertThat(interrupted.getString("reason")).isEqualTo("interrupted");
      assertThat(interrupted.getString("finished_at")).isNotNull();
      JsonObject next =
          new JsonObject(send(port, "POST", "/api/v1/actions/quick/run?wait=true", null).body());
      assertThat(next.getLong("id")).isGreaterThan(id);
      assertThat(next.getString("outcome")).isEqualTo("success");
    }
  }

  @Test
  void anAlertNameWithANewlineCannotForgeALogLine() throws Exception {
    Path yml =
        Files.writeString(
            dir.resolve("caretaker.yml"),
            """
        agent: { data_dir: %s }
        server: { port: 0, tokens: ["${CARETAKER_TOKEN}"] }
        actions:
          fix: { type: command, argv: ["/bin/true"], cooldown: 1h }
        alertmanager:
          routes: [ { matchers: ['team="ops"'], action: fix } ]
        """
                .formatted(dir.resolve("data")));
    try (AgentProcess agent =
        AgentProcess.start(
            dir, Map.of("CARETAKER_TOKEN", TOKEN), "serve", "--config", yml.toString())) {
      int port = agent.awaitPort();
      String forged = "Disk\\n2026-11-23T10:00:00.000Z ERROR [main] Daemon - FORGED";
      String body =
          "{\"alerts\":[{\"status\":\"firing\",\"labels\":{\"instance\":\"127.0.0.1\",\"team\":\"ops\","
              + "\"alertname\":\""
              + forged
              + "\"}}]}";
      HttpResponse<String> answer = send(port, "POST", "/api/v1/alertmanager", body);
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      assertThat(answer.body()).contains("\"action\":\"fix\"");
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(() -> assertThat(agent.stderr()).contains("FORGED"));
      assertThat(agent.stderr().lines().filter(l -> l.contains("FORGED")))
          .allSatisfy(l -> assertThat(l).doesNotStartWith("2026-11-23T10:00:00.000Z ERROR"));
    }
  }
}
