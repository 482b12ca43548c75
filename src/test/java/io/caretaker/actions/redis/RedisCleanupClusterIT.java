package io.caretaker.actions.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caretaker.actions.Redactor;
import io.caretaker.actions.RunRecord;
import io.caretaker.actions.RunRecord.Outcome;
import io.caretaker.actions.Trigger;
import io.caretaker.config.Config;
import io.caretaker.config.ConfigLoader;
import io.caretaker.config.MaintenanceConfig;
import io.caretaker.daemon.ActionTypes;
import io.caretaker.redis.RedisConnection;
import io.caretaker.run.ActionExecutor;
import io.caretaker.run.ActionExecutor.RunOptions;
import io.caretaker.run.Maintenance;
import io.caretaker.run.RunHistory;
import io.caretaker.testing.Tools;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** redis-cleanup against a real three-master Redis Cluster on free ports. */
class RedisCleanupClusterIT {
  @TempDir Path dir;
  private final List<Process> nodes = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();
  private RedisClusterClient client;
  private StatefulRedisClusterConnection<String, String> connection;

  @BeforeEach
  void startCluster() throws Exception {
    Path server = Tools.require("redis-server", "redis-server");
    Path cli = Tools.require("redis-cli", "redis-server");
    for (int i = 0; i < 3; i++) {
      int port = freePortWithBus();
      Path nodeDir = Files.createDirectories(dir.resolve("node" + i));
      nodes.add(
          new ProcessBuilder(
                  server.toString(),
                  "--port",
                  Integer.toString(port),
                  "--bind",
                  "127.0.0.1",
                  "--cluster-enabled",
                  "yes",
                  "--cluster-config-file",
                  "nodes.conf",
                  "--save",
                  "",
                  "--appendonly",
                  "no",
                  "--dir",
                  nodeDir.toString())
              .redirectErrorStream(true)
              .redirectOutput(nodeDir.resolve("log").toFile())
              .start());
      ports.add(port);
    }
    for (int port : ports) {
      await()
          .until(
              () ->
                  Tools.run(List.of(cli.toString(), "-p", Integer.toString(port), "ping"), "")
                      .output()
                      .contains("PONG"));
    }
    List<String> create = new ArrayList<>(List.of(cli.toString(), "--cluster", "create"));
    ports.forEach(p -> create.add("127.0.0.1:" + p));
    create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
    Tools.Result created = Tools.run(create, "");
    assertThat(created.exitCode()).as(created.output()).isZero();
    for (int port : ports) {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  Tools.run(
                          List.of(cli.toString(), "-p", Integer.toString(port), "cluster", "info"),
                          "")
                      .output()
                      .contains("cluster_state:ok"));
    }
    client = RedisClusterClient.create(RedisURI.create("127.0.0.1", ports.get(0)));
    connection = client.connect();
  }

  @AfterEach
  void stopCluster() throws Exception {
    if (connection != null) {
      connection.close();
      client.shutdown();
    }
    for (Process p : nodes) {
      p.destroy();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
      }
    }
  }

  @Test
  void everyMasterIsSweptAndProtectedKeysSurvive() throws Exception {
    RedisAdvancedClusterCommands<String, String> redis = connection.sync();
    for (int i = 0; i < 6_000; i++) {
      redis.set("cache:" + i, "v");
    }
    for (int i = 0; i < 1_000; i++) {
      redis.set("cache:pos:" + i, "v");
      redis.set("order:" + i, "v");
    }
    Config config =
        ConfigLoader.parse(
            "c.yml",
            """
        redis: { uri: "redis://127.0.0.1:%d/0" }
        actions:
          cache-cleanup: { type: redis-cleanup, patterns: ["cache:*"], protect: ["cache:pos:*"] }
        """
                .formatted(ports.get(0)),
            Map.of());
    try (RedisConnection conn = new RedisConnection(config.redis().orElseThrow());
        ActionExecutor executor =
            new ActionExecutor(
                config.actions(),
                ActionTypes.create(
                    config.actions(),
                    new ActionTypes.Parts(
                        () -> null,
                        null,
                        List.of(),
                        "t",
                        Clock.systemUTC(),
                        new PrometheusRegistry(),
                        Optional.of(conn),
                        Optional.empty(),
                        dir,
                        new Redactor(List.of()),
                        (period, format, now) -> new byte[0])),
                new RunHistory(dir.resolve("runs.jsonl"), 10),
                new Maintenance(new MaintenanceConfig(List.of())),
                new PrometheusRegistry(),
                Clock.systemUTC(),
                1)) {
      RunRecord run =
          executor.submit("cache-cleanup", Trigger.manual("t"), RunOptions.NORMAL).result().get();
      assertThat(run.outcome()).as(run.reason()).isEqualTo(Outcome.SUCCESS);
      assertThat(run.details())
          .containsEntry("keys_deleted", 6_000L)
          .containsEntry("keys_protected", 1_000L);
      assertThat((List<?>) run.details().get("cluster_masters")).hasSize(3);
    }
    assertThat(redis.dbsize()).isEqualTo(2_000L);
    assertThat(redis.exists("cache:pos:7", "order:7")).isEqualTo(2L);
  }

  /** A free port whose cluster bus port (port + 10000) is free too. */
  private static int freePortWithBus() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      if (port + 10_000 > 65_535) {
        continue;
      }
      try (ServerSocket bus =
          new ServerSocket(port + 10_000, 1, InetAddress.getLoopbackAddress())) {
        return port;
      } catch (IOException busy) {
        // try another
      }
    }
    throw new IOException("no free port pair (port, port + 10000) found");
  }
}
