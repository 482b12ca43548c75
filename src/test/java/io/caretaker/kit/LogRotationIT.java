package io.caretaker.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caretaker.testing.AgentProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged agent rotates a live log in the collection that sees it over max_size (trigger
 * "size"), and publishes the live file's size.
 */
class LogRotationIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  private static String get(int port, String path) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  void aLogOverMaxSizeIsRotatedByTheNextCollection() throws Exception {
    Path logs = Files.createDirectories(dir.resolve("logs"));
    Path log = Files.writeString(logs.resolve("router.log"), "small\n");
    Path yml =
        Files.writeString(
            dir.resolve("caretaker.yml"),
            """
            agent: { data_dir: %s }
            server: { port: 0 }
            collect: { interval: 1s }
            actions:
              router-logs: { type: log-rotation, roots: [%s], max_size: 10KiB, keep: 3 }
            """
                .formatted(dir.resolve("data"), logs));
    try (AgentProcess agent = AgentProcess.start(dir, "serve", "--config", yml.toString())) {
      int port = agent.awaitPort();
      await()
          .untilAsserted(
              () ->
                  assertThat(get(port, "/metrics"))
                      .containsPattern(
                          "caretaker_log_file_bytes\\{file=\""
                              + Pattern.quote(log.toString())
                              + "\",mountpoint=\"/[^\"]*\",set=\"router-logs\"} 6.0"));
      Files.writeString(log, "x".repeat(20 * 1024) + "\n");
      await()
          .untilAsserted(
              () -> {
                try (Stream<Path> files = Files.list(logs)) {
                  assertThat(files.map(f -> f.getFileName().toString()))
                      .anyMatch(n -> n.matches("router\\.log\\.\\d{8}T\\d{6}Z"));
                }
              });
      // The rename comes first; the record is done once the writer check and the prune are.
      await()
          .untilAsserted(
              () -> {
                JsonArray runs =
                    new JsonObject(get(port, "/api/v1/runs?action=router-logs"))
                        .getJsonArray("runs");
                assertThat(runs.stream().map(JsonObject.class::cast))
                    .anySatisfy(
                        run -> {
                          assertThat(run.getJsonObject("trigger").getString("type"))
                              .isEqualTo("size");
                          assertThat(run.getJsonObject("trigger").getString("ref"))
                              .startsWith(log.toString());
                          assertThat(run.getString("outcome")).isEqualTo("success");
                        });
              });
      assertThat(get(port, "/metrics"))
          .contains("caretaker_log_rotations_total{method=\"rename\",set=\"router-logs\"} 1.0");
    }
  }
}
