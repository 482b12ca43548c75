package io.caretaker.collect;

import io.caretaker.config.TradingConfig;
import io.caretaker.config.TradingConfig.KeyPattern;
import io.caretaker.metrics.Family;
import io.caretaker.metrics.LabelCap;
import io.caretaker.redis.RedisConnection;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The trading system's state in Redis, read every cycle with pipelining on a connection of its own:
 * all HGETALLs in one round trip, key types and sizes in two, and for heartbeat and market-data
 * patterns one SCAN round trip per {@value #SCAN_COUNT} keys in the database plus one for all their
 * values. {@code caretaker_trading_poll_round_trips} shows the count.
 */
public final class TradingRedisCollector implements Collector {
  static final int SCAN_COUNT = 10_000;
  private static final int MGET_CHUNK = 1000;

  private final TradingConfig config;
  private final RedisConnection redis;
  private final LabelCap cap;
  private final Clock clock;
  private final Duration timeout;
  private StatefulRedisConnection<String, String> pipe;
  private int roundTrips;

  public TradingRedisCollector(
      TradingConfig config, RedisConnection redis, LabelCap cap, Clock clock, Duration timeout) {
    this.config = config;
    this.redis = redis;
    this.cap = cap;
    this.clock = clock;
    this.timeout = timeout;
    config.heartbeats().ifPresent(h -> cap.declare(h.label()));
    config.marketData().ifPresent(m -> cap.declare(m.label()));
  }

  @Override
  public String name() {
    return "trading_redis";
  }

  @Override
  public synchronized List<MetricSnapshot> collect() {
    if (!redis.up()) {
      return List.of(); // the redis collector reports the outage; nothing to read
    }
    if (pipe != null && !pipe.isOpen()) {
      pipe.close(); // closed by an outage: connections do not reconnect (RedisConnection)
      pipe = null;
    }
    if (pipe == null) {
      pipe = redis.connectDedicated();
      pipe.setAutoFlushCommands(false);
    }
    RedisAsyncCommands<String, String> async = pipe.async();
    roundTrips = 0;
    List<MetricSnapshot> out = new ArrayList<>(hashes(async));
    out.addAll(sizes(async));
    config
        .heartbeats()
        .ifPresent(
            h ->
                out.add(
                    ages(
                        async,
                        h,
                        "trading_heartbeat_age_seconds",
                        "Seconds since each component's last heartbeat (sampled every cycle).")));
    config
        .marketData()
        .ifPresent(
            m ->
                out.add(
                    ages(
                        async,
                        m,
                        "trading_market_data_age_seconds",
                        "Seconds since each symbol's last market-data tick (sampled every cycle).")));
    out.add(
        Family.gauge(
                "caretaker_trading_poll_round_trips",
                "Redis round trips the last trading poll took.")
            .add(roundTrips)
            .toSnapshot());
    return out;
  }

  private List<MetricSnapshot> hashes(RedisAsyncCommands<String, String> async) {
    if (config.hashes().isEmpty()) {
      return List.of();
    }
    List<RedisFuture<Map<String, String>>> replies = new ArrayList<>();
    config.hashes().forEach(h -> replies.add(async.hgetall(h.key())));
    await(async, replies);
    Map<String, Family> families = new LinkedHashMap<>();
    Family skipped =
        Family.gauge(
            "caretaker_trading_hash_fields_skipped",
            "Non-numeric fields in the configured hashes at the last poll.",
            "metric");
    for (int i = 0; i < replies.size(); i++) {
      TradingConfig.HashMetric h = config.hashes().get(i);
      Family f =
          families.computeIfAbsent(
              h.metric(),
              m -> Family.gauge(m, "Numeric fields of Redis hash " + h.key() + ".", h.label()));
      int nonNumeric = 0;
      for (Map.Entry<String, String> field : value(replies.get(i)).entrySet()) {
        try {
          f.add(Double.parseDouble(field.getValue()), field.getKey());
        } catch (NumberFormatException e) {
          nonNumeric++;
        }
      }
      skipped.add(nonNumeric, h.metric());
    }
    List<MetricSnapshot> out = new ArrayList<>();
    families.values().forEach(f -> out.add(f.toSnapshot()));
    out.add(skipped.toSnapshot());
    return out;
  }

  private List<MetricSnapshot> sizes(RedisAsyncCommands<String, String> async) {
    if (config.sizes().isEmpty()) {
      return List.of();
    }
    List<RedisFuture<String>> types = new ArrayList<>();
    config.sizes().forEach(s -> types.add(async.type(s.key())));
    await(async, types);
    List<RedisFuture<Long>> sizes = new ArrayList<>();
    for (int i = 0; i < types.size(); i++) {
      String key = config.sizes().get(i).key();
      sizes.add(
          switch (value(types.get(i))) {
            case "set" -> async.scard(key);
            case "hash" -> async.hlen(key);
            case "list" -> async.llen(key);
            case "zset" -> async.zcard(key);
            case "stream" -> async.xlen(key);
            default -> null; // missing key or a type without a size: no sample
          });
    }
    await(async, sizes.stream().filter(f -> f != null).toList());
    List<MetricSnapshot> out = new ArrayList<>();
    for (int i = 0; i < sizes.size(); i++) {
      if (sizes.get(i) != null) {
        out.add(
            Family.gauge(
                    config.sizes().get(i).metric(),
                    "Size of Redis key " + config.sizes().get(i).key() + ".")
                .add(value(sizes.get(i)))
                .toSnapshot());
      }
    }
    return out;
  }

  private MetricSnapshot ages(
      RedisAsyncCommands<String, String> async, KeyPattern p, String metric, String help) {
    List<String> keys = scan(async, p.pattern());
    String prefix = p.pattern().substring(0, p.pattern().indexOf('*'));
    String suffix = p.pattern().substring(p.pattern().indexOf('*') + 1);
    List<RedisFuture<List<KeyValue<String, String>>>> chunks = new ArrayList<>();
    for (int i = 0; i < keys.size(); i += MGET_CHUNK) {
      chunks.add(
          async.mget(
              keys.subList(i, Math.min(keys.size(), i + MGET_CHUNK)).toArray(String[]::new)));
    }
    await(async, chunks);
    Map<String, Double> ages = new LinkedHashMap<>();
    double now = clock.millis() / 1000.0;
    for (RedisFuture<List<KeyValue<String, String>>> chunk : chunks) {
      for (KeyValue<String, String> kv : value(chunk)) {
        if (kv.hasValue()) {
          try {
            double t = Double.parseDouble(kv.getValue());
            double seconds = t > 1e11 ? t / 1000 : t; // unix milliseconds or seconds
            String name =
                kv.getKey().substring(prefix.length(), kv.getKey().length() - suffix.length());
            ages.put(name, Math.max(0, now - seconds));
          } catch (NumberFormatException e) {
            // not a timestamp: no sample for it
          }
        }
      }
    }
    Set<String> admitted = cap.admitPresent(p.label(), ages.keySet());
    Family f = Family.gauge(metric, help, p.label());
    ages.forEach(
        (name, age) -> {
          if (admitted.contains(name)) {
            f.add(age, name);
          }
        });
    return f.toSnapshot();
  }

  private List<String> scan(RedisAsyncCommands<String, String> async, String pattern) {
    List<String> keys = new ArrayList<>();
    ScanArgs args = ScanArgs.Builder.matches(pattern).limit(SCAN_COUNT);
    ScanCursor cursor = ScanCursor.INITIAL;
    Set<String> seen = new HashSet<>();
    do {
      RedisFuture<KeyScanCursor<String>> page = async.scan(cursor, args);
      await(async, List.of(page));
      KeyScanCursor<String> result = value(page);
      for (String k : result.getKeys()) {
        if (seen.add(k)) { // SCAN may return a key twice
          keys.add(k);
        }
      }
      cursor = result;
    } while (!cursor.isFinished());
    return keys;
  }

  private void await(
      RedisAsyncCommands<String, String> async, List<? extends RedisFuture<?>> futures) {
    pipe.flushCommands();
    roundTrips++;
    if (!LettuceFutures.awaitAll(
        timeout.toMillis(), TimeUnit.MILLISECONDS, futures.toArray(new RedisFuture<?>[0]))) {
      throw new RedisCommandTimeoutException(
          "trading poll timed out after " + timeout.toMillis() + " ms");
    }
  }

  private static <T> T value(RedisFuture<T> future) {
    try {
      return future.get();
    } catch (Exception e) {
      throw new RedisException(e.getMessage(), e);
    }
  }
}
