package io.caretaker.collect;

import static io.caretaker.collect.Samples.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caretaker.config.ConfigLoader;
import io.caretaker.redis.RedisConnection;
import io.caretaker.redis.RedisInfo;
import io.caretaker.testing.RedisRaw;
import io.caretaker.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Redis collector against a real primary and replica the test starts: the values are what INFO,
 * SLOWLOG and LATENCY LATEST say when the test asks Redis itself, under redis_exporter's names, and
 * no slow command's argument ever shows.
 */
class RedisExporterParityIT {
  private static final String SECRET_ARGUMENT = "s3cret-argument-4711";

  @TempDir Path dir;
  private RedisServer primary;
  private RedisServer replica;
  private RedisClient client;
  private StatefulRedisConnection<String, String> connection;
  private RedisCommands<String, String> redis;
  private final List<RedisConnection> opened = new java.util.ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    primary = new RedisServer(dir.resolve("primary"));
    replica =
        new RedisServer(
            dir.resolve("replica"), "--replicaof", "127.0.0.1", Integer.toString(primary.port()));
    client = RedisClient.create(primary.uri());
    connection = client.connect();
    redis = connection.sync();
  }

  @AfterEach
  void stop() throws Exception {
    opened.forEach(RedisConnection::close);
    connection.close();
    client.shutdown();
    replica.close();
    primary.close();
  }

  private List<Object> raw(String command, String... args) {
    return RedisRaw.call(redis, command, args);
  }

  private MetricSnapshots collect(RedisServer server) {
    RedisConnection c =
        new RedisConnection(
            ConfigLoader.parse(
                    "t.yml", "redis: { uri: \"%s\" }\n".formatted(server.uri()), Map.of())
                .redis()
                .orElseThrow());
    opened.add(c);
    return new MetricSnapshots(new RedisCollector(c, Duration.ofSeconds(2)).collect());
  }

  @Test
  // Long on purpose: one primary's life (writes, a slow script, the slow log), then its replica.
  void valuesAreWhatRedisSaysUnderRedisExportersNames() throws Exception {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> redis.info("replication").contains("state=online"));
    redis.configSet("slowlog-log-slower-than", "0");
    redis.configSet("latency-monitor-threshold", "1");
    for (int i = 0; i < 25; i++) {
      redis.set("k" + i, i == 7 ? SECRET_ARGUMENT : "v");
      redis.get("k" + i);
    }
    redis.expire("k1", 3600);
    redis.eval(
        "local i = 0 while i < 20000000 do i = i + 1 end return i", ScriptOutputType.INTEGER);
    redis.configSet("slowlog-log-slower-than", "-1"); // the log stays as it is now

    MetricSnapshots m = collect(primary);
    Map<String, String> info = RedisInfo.parse(redis.info("all"));
    assertThat(value(m, "redis_up")).hasValue(1);
    assertThat(value(m, "redis_commands_total", "cmd", "set"))
        .hasValue(
            Double.parseDouble(RedisInfoSections.pairs(info.get("cmdstat_set")).get("calls")));
    assertThat(value(m, "redis_db_keys", "db", "db0")).hasValue(25);
    assertThat(value(m, "redis_db_keys_expiring", "db", "db0")).hasValue(1);
    assertThat(value(m, "redis_connected_slaves")).hasValue(1);
    assertThat(value(m, "redis_memory_max_bytes"))
        .hasValue(Double.parseDouble(info.get("maxmemory")));
    assertThat(value(m, "redis_total_system_memory_bytes").orElseThrow()).isPositive();
    assertThat(value(m, "redis_net_input_bytes_total").orElseThrow()).isPositive();
    assertThat(
            value(
                m,
                "redis_instance_info",
                "role",
                "master",
                "redis_version",
                info.get("redis_version"),
                "redis_mode",
                "standalone",
                "maxmemory_policy",
                info.get("maxmemory_policy")))
        .hasValue(1);
    assertThat(
            value(
                m,
                "redis_connected_slave_lag_seconds",
                "slave_ip",
                "127.0.0.1",
                "slave_port",
                Integer.toString(replica.port()),
                "slave_state",
                "online"))
        .as(info.get("slave0"))
        .isPresent();
    assertThat(value(m, "redis_slowlog_length")).hasValue(redis.slowlogLen());
    List<Object> newest = redis.slowlogGet(1);
    assertThat(value(m, "redis_slowlog_last_id"))
        .hasValue(((Number) ((List<?>) newest.get(0)).get(0)).doubleValue());
    assertThat(value(m, "redis_slowlog_recent_duration_seconds", "cmd", "eval")).isPresent();
    List<Object> latest = raw("LATENCY", "LATEST");
    List<?> command =
        (List<?>)
            latest.stream()
                .filter(e -> ((List<?>) e).get(0).equals("command"))
                .findFirst()
                .orElseThrow();
    assertThat(value(m, "redis_latency_spike_duration_seconds", "event_name", "command"))
        .hasValue(((Number) command.get(2)).doubleValue() / 1000);
    SummarySnapshot latency =
        (SummarySnapshot)
            m.stream()
                .filter(
                    s ->
                        s.getMetadata()
                            .getPrometheusName()
                            .equals("redis_latency_percentiles_usec"))
                .findFirst()
                .orElseThrow();
    assertThat(latency.getDataPoints())
        .anySatisfy(
            p -> {
              assertThat(p.getLabels().get("cmd")).isEqualTo("set");
              assertThat(p.getCount()).isEqualTo(25);
              assertThat(p.getQuantiles().size()).isGreaterThanOrEqualTo(3);
            });

    ByteArrayOutputStream text = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(text, m);
    assertThat(text.toString(StandardCharsets.UTF_8)).doesNotContain(SECRET_ARGUMENT);

    MetricSnapshots r = collect(replica);
    assertThat(value(r, "redis_master_link_up")).hasValue(1);
    assertThat(
            value(
                r,
                "redis_instance_info",
                "role",
                "slave",
                "redis_version",
                info.get("redis_version"),
                "redis_mode",
                "standalone",
                "maxmemory_policy",
                info.get("maxmemory_policy")))
        .hasValue(1);
  }

  @Test
  void aRefusedSlowlogOrLatencyCommandLeavesItsSeriesOutNotRedisDown() throws Exception {
    raw("ACL", "SETUSER", "default", "-slowlog", "-latency");
    MetricSnapshots m = collect(primary);
    assertThat(value(m, "redis_up")).hasValue(1);
    assertThat(value(m, "redis_commands_processed_total").orElseThrow()).isPositive();
    assertThat(value(m, "redis_slowlog_length")).hasValue(0);
  }
}
