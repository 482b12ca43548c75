package io.caretaker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.caretaker.testing.AgentProcess;
import io.caretaker.testing.Tools;
import io.vertx.core.json.JsonObject;
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
import java.util.Map;
import org.awaitility.Awaitility;
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
    Path file =
        config(
            """
        server:
          port: 99999
        collect:
          interval: -5s
          bogus: 1
        """);
    Tools.Result result = AgentProcess.run(dir, "check-config", file.toString());
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.output())
        .contains(
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
    assertThat(result.output())
        .contains(file + ":")
        .contains("Invalid YAML")
        .doesNotContain("Listening");
    Tools.Result missing = AgentProcess.run(dir, "serve", "--config", "nope.yml");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.output()).contains("nope.yml: Cannot read config file: no such file");
  }

  @Test
  void portInUseIsOneClearMessageAndExitTwo() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path file =
          config(
              "server: { port: "
                  + taken.getLocalPort()
                  + " }\n"
                  + "agent: { data_dir: "
                  + dir.resolve("data")
                  + " }\n");
      Tools.Result result = AgentProcess.run(dir, "serve", "--config", file.toString());
      assertThat(result.exitCode()).isEqualTo(2);
      assertThat(result.output())
          .contains("server.port: cannot listen on 127.0.0.1:" + taken.getLocalPort())
          .contains("in use");
    }
  }

  @Test
  void unusableDataDirIsAConfigError() throws Exception {
    Path notADir = Files.writeString(dir.resolve("file"), "x");
    Path file = config("server: { port: 0 }\nagent: { data_dir: " + notADir + "/data }\n");
    Tools.Result result = AgentProcess.run(dir, "serve", "--config", file.toString());
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.output())
        .contains("agent.data_dir: start-up failed: Cannot open run history");
  }

  @Test
  void serveScrapesThenStopsCleanlyOnSigterm() throws Exception {
    Path file = config("server: { port: 0 }\nagent: { data_dir: " + dir.resolve("data") + " }\n");
    try (AgentProcess agent = AgentProcess.start(dir, "serve", "--config", file.toString())) {
      int port = agent.awaitPort();
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> metrics =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
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
    // The embedded default listens on 9464 (ConfigLoaderTest); CARETAKER_PORT moves it, so this
    // test never depends on whether the host's default port is free.
    try (AgentProcess agent = AgentProcess.start(dir, Map.of("CARETAKER_PORT", "0"), "serve")) {
      int port = agent.awaitPort();
      HttpResponse<String> ready =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(ready.statusCode()).isEqualTo(200);
      agent.terminate();
      assertThat(agent.waitFor(Duration.ofSeconds(10))).isZero();
    }
  }

  @Test
  void logsCanBeJsonLinesOrARollingFile() throws Exception {
    Path log = dir.resolve("logs/caretaker.log");
    Path file =
        config(
            "server: { port: 0 }\nagent: { data_dir: "
                + dir.resolve("data")
                + " }\n"
                + "logging: { format: json, file: "
                + log
                + " }\n");
    try (AgentProcess agent = AgentProcess.start(dir, "serve", "--config", file.toString())) {
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> Files.exists(log) && Files.readString(log).contains("Listening on"));
      agent.terminate();
      assertThat(agent.waitFor(Duration.ofSeconds(10))).isZero();
    }
    List<String> lines = Files.readAllLines(log);
    assertThat(lines)
        .isNotEmpty()
        .allSatisfy(l -> assertThat(new JsonObject(l).getString("level")).isNotBlank());
  }

  @Test
  void backupVerifyAcceptsAGoodArchiveAndRejectsACorruptOne() throws Exception {
    Path src = Files.createDirectories(dir.resolve("src"));
    Files.writeString(src.resolve("a.txt"), "hello\n".repeat(1000));
    Path good = dir.resolve("good.tar.gz");
    assertThat(
            new ProcessBuilder("tar", "-czf", good.toString(), "-C", dir.toString(), "src")
                .start()
                .waitFor())
        .isZero();
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

  @Test
  void operatorCommandsAgainstALiveAgentInTablesAndJson() throws Exception {
    Path logs = Files.createDirectories(dir.resolve("logs"));
    Path file =
        config(
            """
        agent: { data_dir: %s, instance: cli-test }
        server: { port: 0, tokens: [op-token] }
        actions:
          log-cleanup: { type: file-retention, roots: [%s], delete_after: 7d, cooldown: 0s }
        schedules:
          - { id: nightly-logs, action: log-cleanup, cron: "30 2 * * *", timezone: Europe/London }
        """
                .formatted(dir.resolve("data"), logs));
    try (AgentProcess agent = AgentProcess.start(dir, "serve", "--config", file.toString())) {
      String url = "http://127.0.0.1:" + agent.awaitPort();
      Tools.Result status = AgentProcess.run(dir, "status", "--url", url);
      assertThat(status.exitCode()).as(status.output()).isZero();
      assertThat(status.output()).contains("instance        cli-test", "maintenance     off");

      Tools.Result unauthorized =
          AgentProcess.run(dir, "action", "run", "log-cleanup", "--url", url);
      assertThat(unauthorized.exitCode()).isEqualTo(1);
      assertThat(unauthorized.output()).contains("401 unauthorized").contains("--token");

      Tools.Result run =
          AgentProcess.run(
              dir,
              "action",
              "run",
              "log-cleanup",
              "--wait",
              "--dry-run",
              "--url",
              url,
              "--token",
              "op-token");
      assertThat(run.exitCode()).as(run.output()).isZero();
      assertThat(run.output()).contains("log-cleanup: success [dry run]");

      Tools.Result noSuchRuns = AgentProcess.run(dir, "runs", "--action", "nosuch", "--url", url);
      assertThat(noSuchRuns.exitCode()).isEqualTo(2);
      assertThat(noSuchRuns.output())
          .contains("no action named \"nosuch\"; configured: log-cleanup");
      Tools.Result noSuchRun =
          AgentProcess.run(dir, "action", "run", "nosuch", "--url", url, "--token", "op-token");
      assertThat(noSuchRun.exitCode()).isEqualTo(2);
      assertThat(noSuchRun.output()).contains("no action named \"nosuch\"");

      Tools.Result runs = AgentProcess.run(dir, "runs", "--url", url);
      assertThat(runs.output().lines().findFirst().orElseThrow())
          .matches("ID +ACTION +TRIGGER +STARTED +OUTCOME +EFFECT +REASON");
      assertThat(runs.output()).contains("manual api");
      Tools.Result judged = AgentProcess.run(dir, "runs", "--effect", "effective", "--url", url);
      assertThat(judged.output()).doesNotContain("manual api"); // a manual run stays unknown
      Tools.Result badEffect = AgentProcess.run(dir, "runs", "--effect", "maybe", "--url", url);
      assertThat(badEffect.exitCode()).isEqualTo(2);
      assertThat(badEffect.output()).contains("effective, ineffective, unknown");

      Tools.Result json = AgentProcess.run(dir, "schedules", "--json", "--url", url);
      assertThat(
              new JsonObject(json.output().substring(json.output().indexOf('{')))
                  .getJsonArray("schedules")
                  .getJsonObject(0)
                  .getString("timezone"))
          .isEqualTo("Europe/London");

      assertThat(
              AgentProcess.run(
                      dir, "schedule", "pause", "nightly-logs", "--url", url, "--token", "op-token")
                  .output())
          .contains("schedule nightly-logs paused");
      assertThat(AgentProcess.run(dir, "schedules", "--url", url).output())
          .containsPattern("nightly-logs +log-cleanup +cron 30 2 \\* \\* \\* Europe/London +true");
      assertThat(
              AgentProcess.run(
                      dir,
                      "maintenance",
                      "on",
                      "--for",
                      "2h",
                      "--reason",
                      "kernel upgrade",
                      "--url",
                      url,
                      "--token",
                      "op-token")
                  .output())
          .contains("maintenance on until");
      HttpResponse<String> metrics =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(url + "/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.body()).contains("caretaker_maintenance_mode 1.0");

      agent.terminate();
      agent.waitFor(Duration.ofSeconds(10));
    }
    // Paused schedules and operator maintenance survive the restart.
    try (AgentProcess agent = AgentProcess.start(dir, "serve", "--config", file.toString())) {
      String url = "http://127.0.0.1:" + agent.awaitPort();
      assertThat(AgentProcess.run(dir, "schedules", "--url", url).output())
          .containsPattern("nightly-logs .* true ");
      assertThat(AgentProcess.run(dir, "status", "--url", url).output())
          .contains("maintenance     on (manual): kernel upgrade until ");
    }
    Tools.Result unreachable = AgentProcess.run(dir, "status", "--url", "http://127.0.0.1:1");
    assertThat(unreachable.exitCode()).isEqualTo(1);
    assertThat(unreachable.output()).contains("cannot reach the agent at http://127.0.0.1:1");
  }

  /** alerts/caretaker-local.rules.yml is what it claims to be. */
  @Test
  void rulesExportOfTheExampleConfigIsTheShippedRulesFileByteForByte() throws Exception {
    Path example = Path.of("deploy/caretaker.example.yml").toAbsolutePath();
    Tools.Result export =
        AgentProcess.run(
            dir, "rules", "export", "--format", "prometheus", "-c", example.toString());
    assertThat(export.exitCode()).as(export.output()).isZero();
    assertThat(export.output())
        .isEqualTo(Files.readString(Path.of("alerts/caretaker-local.rules.yml")))
        .contains("remediate: \"log-cleanup,health-report\"");
  }

  @Test
  void pathsThatDoNotExistAreWarningsInCheckConfigAndLoggedOnceByServe() throws Exception {
    Path file =
        config(
            """
        agent: { data_dir: %s }
        server: { port: 0 }
        actions:
          logs: { type: file-retention, roots: [%s], delete_after: 7d }
          save: { type: backup, sources: [%s], dir: %s }
        """
                .formatted(
                    dir.resolve("data"),
                    dir.resolve("no-logs"),
                    dir.resolve("no-sources"),
                    dir.resolve("backups")));
    Tools.Result check = AgentProcess.run(dir, "check-config", "-c", file.toString());
    assertThat(check.exitCode()).as(check.output()).isZero();
    assertThat(check.output().lines().filter(l -> l.startsWith("warning: ")))
        .containsExactly(
            "warning: actions.logs.roots: "
                + dir.resolve("no-logs")
                + " does not exist; the action fails until it does",
            "warning: actions.save.sources: "
                + dir.resolve("no-sources")
                + " does not exist; the action fails until it does");
    try (AgentProcess agent = AgentProcess.start(dir, "serve", "-c", file.toString())) {
      agent.awaitPort();
      assertThat(agent.stderr().lines().filter(l -> l.contains("does not exist"))).hasSize(2);
    }
  }

  @Test
  void rulesExportOfTheDefaultConfigPassesPromtool() throws Exception {
    Tools.Result export = AgentProcess.run(dir, "rules", "export", "--format", "prometheus");
    assertThat(export.exitCode()).as(export.output()).isZero();
    assertThat(export.output())
        .contains(
            "alert: DiskFullCritical",
            "expr: host_filesystem_used_ratio > 0.9",
            "remediate: health-report");
    Path rules = Files.writeString(dir.resolve("exported.rules.yml"), export.output());
    Path promtool = Tools.require("promtool", "prometheus");
    Tools.Result check =
        Tools.run(List.of(promtool.toString(), "check", "rules", rules.toString()), "");
    assertThat(check.exitCode()).as(check.output()).isZero();
    assertThat(check.output()).contains("SUCCESS: 6 rules found");
  }
}
