package io.caretaker.collect;

import static io.caretaker.collect.Samples.has;
import static io.caretaker.collect.Samples.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caretaker.config.Config;
import io.caretaker.config.ConfigLoader;
import io.caretaker.metrics.LabelCap;
import io.caretaker.redis.RedisConnection;
import io.caretaker.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Redis and trading collectors against a real redis-server. */
class RedisCollectorsIT {
  private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

  @TempDir Path dir;
  private RedisServer server;
  private RedisClient client;
  private StatefulRedisConnection<String, String> seedConnection;
  private RedisCommands<String, String> seed;
  private RedisConnection redis;
  private PrometheusRegistry registry;

  @BeforeEach
  void start() throws Exception {
    server = new RedisServer(dir.resolve("redis"));
    client = RedisClient.create(server.uri());
    seedConnection = client.connect();
    seed = seedConnection.sync();
    registry = new PrometheusRegistry();
  }

  @AfterEach
  void stop() throws Exception {
    if (redis != null) {
      redis.close();
    }
    seedConnection.close();
    client.shutdown();
    server.close();
  }

  private Config config(int maxLabels) {
    return ConfigLoader.parse(
        "t.yml",
        """
        redis: { uri: "%s", timeout: 1s }
        trading:
          hashes: [ { key: "trading:pnl", metric: trading_pnl_usd, label: period } ]
          heartbeats: { pattern: "heartbeat:*", label: component }
          market_data: { pattern: "md:last:*", label: symbol }
          sizes:
            - { key: "positions:open", metric: trading_open_positions }
            - { key: "orders:queue", metric: trading_order_queue_length }
            - { key: "missing:key", metric: trading_missing_size }
          max_label_values: %d
        """
            .formatted(server.uri(), maxLabels),
        Map.of());
  }

  private List<Collector> collectors(Config config) {
    redis = new RedisConnection(config.redis().orElseThrow());
    LabelCap cap = new LabelCap(config.trading().maxLabelValues(), registry);
    return List.of(
        new RedisCollector(redis, Duration.ofSeconds(1)),
        new TradingRedisCollector(
            config.trading(), redis, cap, Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofSeconds(1)));
  }

  private static MetricSnapshots collect(List<Collector> collectors) throws Exception {
    List<MetricSnapshot> all = new ArrayList<>();
    for (Collector c : collectors) {
      all.addAll(c.collect()); // redis first: the trading poll reads only while Redis is up
    }
    return new MetricSnapshots(all);
  }

  @Test
  void redisHealthComesFromInfo() throws Exception {
    seed.set("a", "1");
    seed.set("b", "2");
    MetricSnapshots m = collect(collectors(config(100)));
    assertThat(value(m, "caretaker_redis_up")).hasValue(1);
    assertThat(value(m, "redis_db_keys", "db", "db0")).hasValue(2);
    assertThat(value(m, "redis_memory_used_bytes").orElseThrow()).isPositive();
    assertThat(value(m, "redis_connected_clients").orElseThrow()).isGreaterThanOrEqualTo(2);
    assertThat(value(m, "redis_keyspace_hits_total")).isPresent();
  }

  @Test
  void tradingValuesAreReadFromHashesHeartbeatsTicksAndSizes() throws Exception {
    seed.hset("trading:pnl", Map.of("realized", "12.5", "unrealized", "-3", "note", "abc"));
    seed.set("heartbeat:feed", Long.toString(NOW.getEpochSecond() - 30));
    seed.set("heartbeat:router", Long.toString(NOW.toEpochMilli() - 4_500));
    seed.set("md:last:AAPL", Long.toString(NOW.toEpochMilli() - 250));
    seed.sadd("positions:open", "p1", "p2", "p3");
    seed.rpush("orders:queue", "o1", "o2");

    MetricSnapshots m = collect(collectors(config(100)));

    assertThat(value(m, "trading_pnl_usd", "period", "realized")).hasValue(12.5);
    assertThat(value(m, "trading_pnl_usd", "period", "unrealized")).hasValue(-3);
    assertThat(value(m, "caretaker_trading_hash_fields_skipped", "metric", "trading_pnl_usd"))
        .hasValue(1);
    assertThat(value(m, "trading_heartbeat_age_seconds", "component", "feed")).hasValue(30);
    assertThat(value(m, "trading_heartbeat_age_seconds", "component", "router")).hasValue(4.5);
    assertThat(value(m, "trading_market_data_age_seconds", "symbol", "AAPL")).hasValue(0.25);
    assertThat(value(m, "trading_open_positions")).hasValue(3);
    assertThat(value(m, "trading_order_queue_length")).hasValue(2);
    assertThat(has(m, "trading_missing_size")).isFalse();
  }

  @Test
  void aKeyThatDisappearsRemovesItsSeries() throws Exception {
    List<Collector> collectors = collectors(config(100));
    seed.set("heartbeat:feed", Long.toString(NOW.getEpochSecond()));
    seed.set("heartbeat:risk", Long.toString(NOW.getEpochSecond()));
    assertThat(value(collect(collectors), "trading_heartbeat_age_seconds", "component", "risk"))
        .isPresent();
    seed.del("heartbeat:risk");
    MetricSnapshots m = collect(collectors);
    assertThat(value(m, "trading_heartbeat_age_seconds", "component", "risk")).isEmpty();
    assertThat(value(m, "trading_heartbeat_age_seconds", "component", "feed")).isPresent();
  }

  @Test
  void labelValuesBeyondTheCapAreDroppedAndCounted() throws Exception {
    for (String s : List.of("AAPL", "MSFT", "TSLA")) {
      seed.set("md:last:" + s, Long.toString(NOW.getEpochSecond()));
    }
    MetricSnapshots m = collect(collectors(config(2)));
    assertThat(value(m, "trading_market_data_age_seconds", "symbol", "AAPL")).isPresent();
    assertThat(value(m, "trading_market_data_age_seconds", "symbol", "MSFT")).isPresent();
    assertThat(value(m, "trading_market_data_age_seconds", "symbol", "TSLA")).isEmpty();
    assertThat(value(registry.scrape(), "trading_label_values_dropped_total", "label", "symbol"))
        .hasValue(1);
  }

  @Test
  void roundTripsStayFewWithManyKeys() throws Exception {
    for (int batch = 0; batch < 25; batch++) {
      Map<String, String> ticks = new HashMap<>();
      for (int i = 0; i < 1000; i++) {
        ticks.put("md:last:S" + (batch * 1000 + i), Long.toString(NOW.getEpochSecond()));
      }
      seed.mset(ticks);
    }
    MetricSnapshots m = collect(collectors(config(1_000_000)));
    long series =
        m.stream()
            .filter(s -> s.getMetadata().getName().equals("trading_market_data_age_seconds"))
            .mapToLong(s -> s.getDataPoints().size())
            .sum();
    assertThat(series).isEqualTo(25_000);
    // 1 (hashes) + 2 (sizes) + heartbeats and ticks: 1 MGET each plus ~1 SCAN per 10,000 keys.
    assertThat(value(m, "caretaker_trading_poll_round_trips").orElseThrow())
        .isLessThanOrEqualTo(14);
  }

  @Test
  void redisDownAtStartIsUpZeroNotAFailure() throws Exception {
    int port;
    try (var s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    Config config =
        ConfigLoader.parse(
            "t.yml",
            "redis: { uri: \"redis://127.0.0.1:"
                + port
                + "/0\", timeout: 500ms }\ntrading: { heartbeats: { pattern: \"hb:*\" } }\n",
            Map.of());
    MetricSnapshots m = collect(collectors(config));
    assertThat(value(m, "caretaker_redis_up")).hasValue(0);
    assertThat(has(m, "trading_heartbeat_age_seconds")).isFalse();
  }

  /**
   * The collection after Redis accepts connections again reads it as up, with every series back,
   * however long the outage: no reconnect backoff stands between them (RedisConnection).
   */
  @Test
  void redisGoingAwayShowsAsDownAndTheNextCollectionAfterItsReturnReadsItUp() throws Exception {
    seed.set("heartbeat:feed", Long.toString(NOW.getEpochSecond()));
    List<Collector> collectors = collectors(config(100));
    assertThat(value(collect(collectors), "caretaker_redis_up")).hasValue(1);

    server.stop();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> assertThat(value(collect(collectors), "caretaker_redis_up")).hasValue(0));
    // Down for 6 s, collected all along: long enough for a reconnect backoff to grow past 4 s.
    await()
        .during(Duration.ofSeconds(6))
        .atMost(Duration.ofSeconds(8))
        .untilAsserted(
            () -> {
              MetricSnapshots down = collect(collectors);
              assertThat(value(down, "caretaker_redis_up")).hasValue(0);
              assertThat(has(down, "trading_heartbeat_age_seconds")).isFalse();
              assertThat(has(down, "redis_connected_clients")).isFalse();
            });

    server.start(); // returns once Redis answers PING
    seedConnection.close();
    seedConnection = client.connect();
    seedConnection.sync().set("heartbeat:feed", Long.toString(NOW.getEpochSecond() - 7));
    MetricSnapshots back = collect(collectors);
    assertThat(value(back, "caretaker_redis_up")).hasValue(1);
    assertThat(value(back, "trading_heartbeat_age_seconds", "component", "feed")).hasValue(7);
  }
}
