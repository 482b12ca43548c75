package io.caretaker.trading;

import static io.caretaker.collect.Samples.value;
import static org.awaitility.Awaitility.await;

import io.caretaker.config.RedisConfig;
import io.caretaker.config.TradingConfig.EventStream;
import io.caretaker.metrics.LabelCap;
import io.caretaker.redis.RedisConnection;
import io.caretaker.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Consuming order events from a real Redis stream, across a restart of the consumer. */
class StreamConsumerIT {
  @TempDir Path dir;

  private static final EventStream STREAM = new EventStream("trading:events", "caretaker");

  /**
   * One agent life: its own registry (counters start at zero after a restart) and, as the daemon
   * runs them, two consumers in the group sharing its counters.
   */
  private record Agent(PrometheusRegistry registry, List<StreamConsumer> consumers) {
    void stop() {
      consumers.forEach(StreamConsumer::close);
    }

    double counted() {
      return value(
              registry.scrape(),
              "trading_orders_total",
              "side",
              "buy",
              "status",
              "filled",
              "venue",
              "XNAS")
          .orElse(0);
    }

    double rejected() {
      return value(registry.scrape(), "trading_events_rejected_total", "reason", "bad_side")
          .orElse(0);
    }
  }

  private static Agent start(RedisConnection redis) {
    PrometheusRegistry registry = new PrometheusRegistry();
    TradingEvents events = new TradingEvents(registry, new LabelCap(100, registry));
    List<StreamConsumer> consumers =
        List.of(
            new StreamConsumer(redis, STREAM, "agent-1", events, Duration.ofSeconds(2)),
            new StreamConsumer(redis, STREAM, "agent-1-2", events, Duration.ofSeconds(2)));
    consumers.forEach(StreamConsumer::start);
    return new Agent(registry, consumers);
  }

  @Test
  void everyEntryIsCountedOnceAcrossARestartAndMalformedOnesAreRejected() throws Exception {
    try (RedisServer server = new RedisServer(dir.resolve("redis"))) {
      RedisClient client = RedisClient.create(server.uri());
      try (StatefulRedisConnection<String, String> producer = client.connect();
          RedisConnection redis =
              new RedisConnection(new RedisConfig(server.uri(), Duration.ofSeconds(2)))) {
        var cmds = producer.sync();
        Agent first = start(redis);
        await().until(() -> cmds.exists("trading:events") == 1); // the group made the stream
        Map<String, String> good =
            Map.of(
                "type",
                "order",
                "status",
                "filled",
                "side",
                "buy",
                "venue",
                "XNAS",
                "latency_ms",
                "0.8");
        for (int i = 0; i < 5000; i++) {
          cmds.xadd("trading:events", good);
        }
        cmds.xadd(
            "trading:events",
            Map.of("type", "order", "status", "filled", "side", "sideways", "venue", "XNAS"));
        await().until(() -> first.counted() > 0);
        first.stop(); // "restart" mid-stream
        double before = first.counted();
        for (int i = 0; i < 3000; i++) {
          cmds.xadd("trading:events", good);
        }
        Agent second = start(redis);
        await().atMost(Duration.ofSeconds(30)).until(() -> before + second.counted() == 8000);
        await().until(() -> first.rejected() + second.rejected() == 1);
        await().until(() -> cmds.xpending("trading:events", "caretaker").getCount() == 0);
        // Nothing more may arrive: no entry is counted twice.
        await()
            .during(Duration.ofMillis(300))
            .atMost(Duration.ofSeconds(2))
            .until(() -> before + second.counted() == 8000);
        second.stop();
      } finally {
        client.shutdown();
      }
    }
  }
}
