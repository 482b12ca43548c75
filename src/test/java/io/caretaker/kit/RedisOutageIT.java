package io.caretaker.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caretaker.testing.AgentProcess;
import io.caretaker.testing.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged agent through a Redis outage: one log line when Redis goes away, one when it is
 * back, none between (not Lettuce's, not the stream reader's), and redis_up back at 1 by itself.
 */
class RedisOutageIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  private static String metrics(int port) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static double redisUp(int port) throws Exception {
    return metrics(port)
        .lines()
        .filter(l -> l.startsWith("caretaker_redis_up "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1)))
        .findFirst()
        .orElse(Double.NaN);
  }

  @Test
  void anOutageLogsTwoLinesAndRedisReadsUpWithinOneIntervalOfItsReturn() throws Exception {
    try (RedisServer redis = new RedisServer(dir.resolve("redis"))) {
      Path yml =
          Files.writeString(
              dir.resolve("caretaker.yml"),
              """
              agent: { data_dir: %s }
              server: { port: 0 }
              collect: { interval: 2s }
              redis: { uri: "%s", timeout: 500ms }
              trading:
                heartbeats: { pattern: "hb:*" }
                events: { stream: "orders:events" }
              """
                  .formatted(dir.resolve("data"), redis.uri()));
      try (AgentProcess agent = AgentProcess.start(dir, "serve", "--config", yml.toString())) {
        int port = agent.awaitPort();
        await().untilAsserted(() -> assertThat(redisUp(port)).isEqualTo(1));

        redis.stop();
        await().untilAsserted(() -> assertThat(redisUp(port)).isEqualTo(0));
        // Down for 10 s: five collections, and time for a reconnect backoff to reach seconds.
        await()
            .during(Duration.ofSeconds(10))
            .atMost(Duration.ofSeconds(12))
            .untilAsserted(() -> assertThat(redisUp(port)).isEqualTo(0));
        assertThat(metrics(port)).doesNotContain("redis_connected_clients");

        redis.start(); // that the next collection reads it up: RedisCollectorsIT
        await().untilAsserted(() -> assertThat(redisUp(port)).isEqualTo(1));
        await().untilAsserted(() -> assertThat(agent.stderr()).contains("is back\n"));

        List<String> lines = agent.stderr().lines().toList();
        int down =
            lines.indexOf(
                lines.stream().filter(l -> l.contains("is unreachable")).findFirst().orElseThrow());
        assertThat(lines.subList(down, lines.size()))
            .as("log lines from the outage on")
            .hasSize(2)
            .last()
            .asString()
            .endsWith(" is back");
      }
    }
  }
}
