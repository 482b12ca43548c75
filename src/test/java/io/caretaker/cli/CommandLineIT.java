package io.caretaker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caretaker.testing.AgentProcess;
import io.caretaker.testing.Tools;
import java.net.InetAddress;
import java.net.ServerSocket;
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

/** The shaded jar from the outside: exit codes, messages, start-up and shutdown. */
class CommandLineIT {
  @TempDir Path dir;

  private Path config(String yaml) throws Exception {
    return Files.writeString(dir.resolve("caretaker.yml"), yaml);
  }

  @Test
  void versionAndHelpExitZero() throws Exception {
    Tools.Result version = AgentProcess.run(dir, "--version");
    assertThat(version.exitCode()).isZero();
    assertThat(version.output()).startsWith("caretaker ").doesNotContain("unknown");
    Tools.Result help = AgentProcess.run(dir, "serve", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.output()).contains("--config");
  }

  @Test
  void unknownCommandIsAUsageError() throws Exception {
    Tools.Result result = AgentProcess.run(dir, "frobnicate");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.output()).contains("Unmatched argument", "frobnicate");
  }

  @Test
  void checkConfigPrintsEveryProblemWithFileAndLineAndExitsTwo() throws Exception {
    Path file = config("""
        server:
          port: 99999
        collect:
          interval: -5s
          bogus: 1
        """);
    Tools.Result result = AgentProcess.run(dir, "check-config", file.toString());
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.output()).contains(
        "server.port (" + file + ":2): Expecting a value between 0 and 65535. Found: 99999",
        "collect.interval (" + file + ":4): Expecting a duration",
        "collect.bogus (" + file + ":5): Unknown property",
        "3 problems in " + file);
  }

  @Test
  void checkConfigAcceptsAGoodFile() throws Exception {
    Path file = config("server: { port: 9999 }\n");
    Tools.Result result = AgentProcess.run(dir, "check-config", file.toString());
    assertThat(result.exitCode()).isZero();
    assertThat(result.output()).contains(file + ": OK");
  }

  @Test
  void serveRefusesABadConfigBeforeStartingAnything() throws Exception {
    Path file = config("collect:\n  interval: [5s\n");
    Tools.Result result = AgentProcess.run(dir, "serve", "--config", file.toString());
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.output()).contains(file + ":").contains("Invalid YAML")
        .doesNotContain("Listening");
    Tools.Result missing = AgentProcess.run(dir, "serve", "--config", "nope.yml");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.output()).contains("nope.yml: Cannot read config file: no such file");
  }

  @Test
  void portInUseIsOneClearMessageAndExitTwo() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path file = config("server: { port: " + taken.getLocalPort() + " }\n"
          + "agent: { data_dir: " + dir.resolve("data") + " }\n");
      Tools.Result result = AgentProcess.run(dir, "serve", "--config", file.toString());
      assertThat(result.exitCode()).isEqualTo(2);
      assertThat(result.output()).contains("server.port: cannot listen on 127.0.0.1:"
          + taken.getLocalPort()).contains("in use");
    }
  }

  @Test
  void unusableDataDirIsAConfigError() throws Exception {
    Path notADir = Files.writeString(dir.resolve("file"), "x");
    Path file = config("server: { port: 0 }\nagent: { data_dir: " + notADir + "/data }\n");
    Tools.Result result = AgentProcess.run(dir, "serve", "--config", file.toString());
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.output()).contains("agent.data_dir: start-up failed: Cannot open run history");
  }

  @Test
  void serveScrapesThenStopsCleanlyOnSigterm() throws Exception {
    Path file = config("server: { port: 0 }\nagent: { data_dir: " + dir.resolve("data") + " }\n");
    try (AgentProcess agent = AgentProcess.start(dir, "serve", "--config", file.toString())) {
      int port = agent.awaitPort();
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body()).contains("caretaker_build_info{version=");

      agent.terminate();
      assertThat(agent.waitFor(Duration.ofSeconds(10))).isZero();
      assertThat(agent.stderr()).contains("Stopped");
    }
  }

  @Test
  void defaultConfigServesWithNoFileAndNoRedis() throws Exception {
    boolean free;
    try (ServerSocket probe = new ServerSocket(9464, 1, InetAddress.getLoopbackAddress())) {
      free = true;
    } catch (java.io.IOException busy) {
      free = false;
    }
    try (AgentProcess agent = AgentProcess.start(dir, "serve")) {
      if (free) {
        assertThat(agent.awaitPort()).isEqualTo(9464);
        agent.terminate();
        assertThat(agent.waitFor(Duration.ofSeconds(10))).isZero();
      } else {
        // Something (a developer's agent) holds the default port: the refusal is what to check.
        assertThat(agent.waitFor(Duration.ofSeconds(30))).isEqualTo(2);
        assertThat(agent.stderr()).contains("server.port: cannot listen on 127.0.0.1:9464");
      }
    }
  }

  @Test
  void logsCanBeJsonLinesOrARollingFile() throws Exception {
    Path log = dir.resolve("logs/caretaker.log");
    Path file = config("server: { port: 0 }\nagent: { data_dir: " + dir.resolve("data") + " }\n"
        + "logging: { format: json, file: " + log + " }\n");
    try (AgentProcess agent = AgentProcess.start(dir, "serve", "--config", file.toString())) {
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
          Files.exists(log) && Files.readString(log).contains("Listening on"));
      agent.terminate();
      assertThat(agent.waitFor(Duration.ofSeconds(10))).isZero();
    }
    List<String> lines = Files.readAllLines(log);
    assertThat(lines).isNotEmpty().allSatisfy(l ->
        assertThat(new io.vertx.core.json.JsonObject(l).getString("level")).isNotBlank());
  }

  @Test
  void backupVerifyAcceptsAGoodArchiveAndRejectsACorruptOne() throws Exception {
    Path src = Files.createDirectories(dir.resolve("src"));
    Files.writeString(src.resolve("a.txt"), "hello\n".repeat(1000));
    Path good = dir.resolve("good.tar.gz");
    assertThat(new ProcessBuilder("tar", "-czf", good.toString(), "-C", dir.toString(), "src")
        .start().waitFor()).isZero();
    Tools.Result ok = AgentProcess.run(dir, "backup", "verify", good.toString());
    assertThat(ok.exitCode()).isZero();
    assertThat(ok.output()).contains(good + ": OK");

    byte[] bytes = Files.readAllBytes(good);
    bytes[bytes.length - 6] ^= 0x55; // inside the gzip trailer's CRC
    Path bad = Files.write(dir.resolve("bad.tar.gz"), bytes);
    Tools.Result broken = AgentProcess.run(dir, "backup", "verify", bad.toString());
    assertThat(broken.exitCode()).isEqualTo(1);
    assertThat(broken.output()).contains(bad + ": BAD");
  }
}
