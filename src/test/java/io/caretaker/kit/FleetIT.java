package io.caretaker.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caretaker.testing.AgentProcess;
import io.caretaker.testing.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two agents (two processes) sharing a real redis-server and a restart with {@code fleet:
 * {max_concurrent: 1}}: asked at the same moment again and again, the two never restart at once
 * (the restarts' own start and end lines, in one shared file, alternate), each run's fencing token
 * is new; and an agent killed while holding the place frees it when its lease ends.
 */
class FleetIT {
  private static final String TOKEN = "fleet-token";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private AgentProcess agent(String name, RedisServer redis, Path log, String sleep)
      throws Exception {
    return agent(name, redis, log, sleep, "6s");
  }

  /**
   * An agent whose restart-router runs {@code sleep} seconds, timed out (and leased) at {@code
   * timeout}.
   */
  private AgentProcess agent(String name, RedisServer redis, Path log, String sleep, String timeout)
      throws Exception {
    Path home = Files.createDirectories(dir.resolve(name));
    Path yml =
        Files.writeString(
            home.resolve("caretaker.yml"),
            """
            agent: { instance: %1$s, data_dir: %2$s }
            server: { port: 0, tokens: [%3$s] }
            redis: { uri: "%4$s" }
            actions:
              restart-router:
                type: command
                cooldown: 0s
                timeout: %7$s
                argv: [sh, -c, "echo start %1$s >> %5$s; sleep %6$s; echo end %1$s >> %5$s"]
                fleet: { max_concurrent: 1, wait: 20s }
            """
                .formatted(name, home.resolve("data"), TOKEN, redis.uri(), log, sleep, timeout));
    return AgentProcess.start(home, "serve", "-c", yml.toString());
  }

  private static JsonNode runAndWait(int port) throws Exception {
    return JSON.readTree(
        HTTP.send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:"
                                + port
                                + "/api/v1/actions/restart-router/run?wait=true"))
                    .header("Authorization", "Bearer " + TOKEN)
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body());
  }

  @Test
  void twoAgentsNeverRestartAtOnce() throws Exception {
    Path log = dir.resolve("restarts.log");
    try (RedisServer redis = new RedisServer(dir.resolve("redis"));
        AgentProcess a = agent("a", redis, log, "0.5");
        AgentProcess b = agent("b", redis, log, "0.5")) {
      int pa = a.awaitPort();
      int pb = b.awaitPort();
      List<Long> tokens = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        CompletableFuture<JsonNode> ra = CompletableFuture.supplyAsync(() -> call(pa));
        CompletableFuture<JsonNode> rb = CompletableFuture.supplyAsync(() -> call(pb));
        for (JsonNode r : List.of(ra.join(), rb.join())) {
          assertThat(r.path("outcome").asText()).as(r.toString()).isEqualTo("success");
          tokens.add(r.path("details").path("fleet_token").asLong());
        }
      }
      List<String> lines = Files.readAllLines(log);
      assertThat(lines).hasSize(12);
      for (int i = 0; i < lines.size(); i += 2) {
        assertThat(lines.get(i)).startsWith("start ");
        assertThat(lines.get(i + 1))
            .as("the restart that started at line %d ends before another starts", i + 1)
            .isEqualTo(lines.get(i).replace("start", "end"));
      }
      assertThat(tokens).doesNotHaveDuplicates().allMatch(t -> t > 0);
    }
  }

  private static JsonNode call(int port) {
    try {
      return runAndWait(port);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void anAgentKilledHoldingThePlaceFreesItWhenItsLeaseEnds() throws Exception {
    Path log = dir.resolve("restarts.log");
    try (RedisServer redis = new RedisServer(dir.resolve("redis"));
        // b's run outlasts a's lease (a's timeout) by far: what b waits for is the lease alone
        AgentProcess b = agent("b", redis, log, "0.2", "20s")) {
      AgentProcess a = agent("a", redis, log, "30", "4s");
      try {
        int pa = a.awaitPort();
        CompletableFuture.runAsync(() -> call(pa));
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> Files.exists(log) && Files.readString(log).contains("start a"));
        a.close(); // kill -9 while it holds the only place
        JsonNode r = runAndWait(b.awaitPort());
        assertThat(r.path("outcome").asText()).as(r.toString()).isEqualTo("success");
        assertThat(Files.readString(log)).contains("start b").doesNotContain("end a");
      } finally {
        a.close();
        // the killed agent's restart command lives on as an orphan: stop it too
        ProcessHandle.allProcesses()
            .filter(p -> p.info().commandLine().orElse("").contains(log.toString()))
            .forEach(ProcessHandle::destroy);
      }
    }
  }
}
