package io.caretaker.collect;

import io.caretaker.metrics.Family;
import io.caretaker.redis.RedisConnection;
import io.caretaker.redis.RedisInfo;
import io.lettuce.core.RedisException;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Redis's health from INFO, and {@code caretaker_redis_up}. Redis being down is not a collector
 * failure: the collector reports up 0 and leaves the other Redis metrics out.
 */
public final class RedisCollector implements Collector {
  private static final String[][] GAUGES = {
    {"used_memory", "redis_memory_used_bytes", "Memory Redis has allocated (used_memory)."},
    {
      "mem_fragmentation_ratio",
      "redis_mem_fragmentation_ratio",
      "RSS over allocated memory (mem_fragmentation_ratio)."
    },
    {"connected_clients", "redis_connected_clients", "Client connections."}
  };
  private static final String[][] COUNTERS = {
    {"keyspace_hits", "redis_keyspace_hits_total", "Successful key lookups."},
    {"keyspace_misses", "redis_keyspace_misses_total", "Failed key lookups."},
    {"expired_keys", "redis_expired_keys_total", "Keys removed by expiry."},
    {"evicted_keys", "redis_evicted_keys_total", "Keys evicted under maxmemory."}
  };

  private final RedisConnection redis;

  public RedisCollector(RedisConnection redis) {
    this.redis = redis;
  }

  @Override
  public String name() {
    return "redis";
  }

  @Override
  public List<MetricSnapshot> collect() {
    Map<String, String> info;
    try {
      info = RedisInfo.parse(redis.get().sync().info());
      redis.report(null);
    } catch (RedisException e) {
      redis.report(e);
      return List.of(up(0));
    }
    List<MetricSnapshot> out = new ArrayList<>();
    out.add(up(1));
    for (String[] g : GAUGES) {
      number(info, g[0]).ifPresent(v -> out.add(Family.gauge(g[1], g[2]).add(v).toSnapshot()));
    }
    for (String[] c : COUNTERS) {
      number(info, c[0]).ifPresent(v -> out.add(Family.counter(c[1], c[2]).add(v).toSnapshot()));
    }
    Family dbKeys = Family.gauge("redis_db_keys", "Keys per database.", "db");
    info.forEach(
        (key, value) -> {
          if (key.matches("db\\d+")) {
            dbKeys.add(RedisInfo.keysOf(value), key);
          }
        });
    out.add(dbKeys.toSnapshot());
    return out;
  }

  private static MetricSnapshot up(int value) {
    return Family.gauge("caretaker_redis_up", "1 when the last collection reached Redis.")
        .add(value)
        .toSnapshot();
  }

  private static OptionalDouble number(Map<String, String> info, String key) {
    try {
      return info.containsKey(key)
          ? OptionalDouble.of(Double.parseDouble(info.get(key)))
          : OptionalDouble.empty();
    } catch (NumberFormatException e) {
      return OptionalDouble.empty();
    }
  }
}
