package io.caretaker.collect;

import static io.caretaker.collect.Samples.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caretaker.config.ConfigLoader;
import io.caretaker.config.RedisConfig;
import io.caretaker.redis.RedisConnection;
import io.caretaker.testing.RedisRaw;
import io.caretaker.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory by key group against a real redis-server: counts exact, memory the sum of what MEMORY
 * USAGE says, the biggest keys in order and unnamed unless allowed, no command over the latency
 * target (Redis's own latency monitor, at that threshold, records nothing), and no pass while a
 * cleanup runs.
 */
class KeyGroupScanIT {
  private static final int TARGET_MS = 5;

  @TempDir Path dir;
  private RedisServer server;
  private RedisClient client;
  private StatefulRedisConnection<String, String> connection;
  private RedisCommands<String, String> redis;
  private RedisConnection agent;

  @BeforeEach
  void start() throws Exception {
    server = new RedisServer(dir.resolve("redis"));
    client = RedisClient.create(server.uri());
    connection = client.connect();
    redis = connection.sync();
    for (int i = 0; i < 3000; i++) {
      redis.set("md:last:S" + i, "1234.5");
    }
    for (int i = 0; i < 40; i++) {
      redis.set("positions:" + i, "x".repeat(100 + i * 10));
    }
    redis.set("positions:huge", "y".repeat(50_000));
    redis.set("other:1", "z");
  }

  @AfterEach
  void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
    connection.close();
    client.shutdown();
    server.close();
  }

  private KeyGroupCollector collector(String settings, AtomicBoolean cleanup) {
    RedisConfig config =
        ConfigLoader.parse(
                "t.yml",
                """
                redis:
                  uri: "%s"
                  key_groups: { patterns: { positions: "positions:*", md: "md:*" },
                                latency_target: %dms, top: 3, batch: 200 %s }
                """
                    .formatted(server.uri(), TARGET_MS, settings),
                Map.of())
            .redis()
            .orElseThrow();
    agent = new RedisConnection(config);
    return new KeyGroupCollector(
        agent, config.keyGroups().orElseThrow(), cleanup::get, Clock.systemUTC());
  }

  @Test
  void countsAndMemoryAreWhatRedisSaysAndNoCommandHoldsItPastTheTarget() throws Exception {
    redis.configSet("latency-monitor-threshold", Integer.toString(TARGET_MS));
    try (KeyGroupCollector c = collector("", new AtomicBoolean())) {
      c.scanOnce();
      MetricSnapshots m = new MetricSnapshots(c.collect());
      assertThat(value(m, "caretaker_redis_key_group_keys", "group", "md")).hasValue(3000);
      assertThat(value(m, "caretaker_redis_key_group_keys", "group", "positions")).hasValue(41);
      Map<String, Long> usage = new HashMap<>();
      long positions = 0;
      for (String key : redis.keys("positions:*")) {
        long bytes = redis.memoryUsage(key);
        usage.put(key, bytes);
        positions += bytes;
      }
      assertThat(value(m, "caretaker_redis_key_group_memory_bytes", "group", "positions"))
          .hasValue(positions);
      assertThat(
              value(
                  m,
                  "caretaker_redis_biggest_key_bytes",
                  "group",
                  "positions",
                  "rank",
                  "1",
                  "key",
                  ""))
          .hasValue(usage.get("positions:huge"));
      assertThat(
              value(
                  m,
                  "caretaker_redis_biggest_key_bytes",
                  "group",
                  "positions",
                  "rank",
                  "4",
                  "key",
                  ""))
          .as("top 3 only")
          .isEmpty();
      assertThat(RedisRaw.call(redis, "LATENCY", "LATEST"))
          .as("Redis's latency monitor saw no command over %d ms", TARGET_MS)
          .isEmpty();
    }
  }

  @Test
  void keyNamesOnlyWhenAllowedAndExtrapolatedPastMaxKeys() throws Exception {
    try (KeyGroupCollector c =
        collector(", key_names: true, max_keys: 1000", new AtomicBoolean())) {
      c.scanOnce();
      MetricSnapshots m = new MetricSnapshots(c.collect());
      assertThat(
              value(
                  m,
                  "caretaker_redis_biggest_key_bytes",
                  "group",
                  "positions",
                  "rank",
                  "1",
                  "key",
                  "positions:huge"))
          .isPresent();
      double md = value(m, "caretaker_redis_key_group_memory_bytes", "group", "md").orElseThrow();
      long one = redis.memoryUsage("md:last:S1");
      assertThat(md).as("3000 keys of about %d bytes", one).isBetween(2500.0 * one, 3500.0 * one);
    }
  }

  @Test
  void aPassWaitsWhileACleanupRuns() throws Exception {
    AtomicBoolean cleanup = new AtomicBoolean(true);
    try (KeyGroupCollector c = collector("", cleanup)) {
      CompletableFuture<KeyGroupScan.Result> pass =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return c.scanOnce();
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              });
      await().during(java.time.Duration.ofSeconds(1)).until(() -> !pass.isDone());
      assertThat(c.collect()).as("nothing measured yet").isEmpty();
      cleanup.set(false);
      assertThat(pass.get(30, java.util.concurrent.TimeUnit.SECONDS).groups()).hasSize(2);
    }
  }
}
