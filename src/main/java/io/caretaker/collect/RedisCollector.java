package io.caretaker.collect;

import io.caretaker.metrics.Family;
import io.caretaker.redis.RedisConnection;
import io.caretaker.redis.RedisInfo;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Redis as redis_exporter shows it, under redis_exporter's own names (so dashboard 763 and the
 * redis-mixin work unchanged; docs/metrics.md lists them): INFO ALL (server, clients, memory,
 * persistence, stats, replication, CPU, keyspace, commandstats, latencystats), SLOWLOG and LATENCY
 * LATEST, sent together in one pipelined round trip. {@code caretaker_redis_up} and {@code
 * redis_up} say whether Redis answered; Redis being down is not a collector failure, it leaves the
 * other Redis series out.
 */
public final class RedisCollector implements Collector {
  /** INFO field, metric name, help: numbers as they are. */
  private static final String[][] GAUGES = {
    {"uptime_in_seconds", "redis_uptime_in_seconds", "Seconds since Redis started."},
    {"connected_clients", "redis_connected_clients", "Client connections."},
    {"blocked_clients", "redis_blocked_clients", "Clients blocked in BLPOP, XREAD and the like."},
    {"used_memory", "redis_memory_used_bytes", "Memory Redis has allocated (used_memory)."},
    {"used_memory_rss", "redis_memory_used_rss_bytes", "Resident memory of the Redis process."},
    {"used_memory_peak", "redis_memory_used_peak_bytes", "Peak of used_memory."},
    {"used_memory_lua", "redis_memory_used_lua_bytes", "Memory of the Lua engine."},
    {"maxmemory", "redis_memory_max_bytes", "maxmemory (0: no limit)."},
    {
      "total_system_memory",
      "redis_total_system_memory_bytes",
      "The host's memory, as Redis sees it."
    },
    {
      "mem_fragmentation_ratio",
      "redis_mem_fragmentation_ratio",
      "RSS over allocated memory (mem_fragmentation_ratio)."
    },
    {
      "rdb_changes_since_last_save",
      "redis_rdb_changes_since_last_save",
      "Writes since the last RDB save."
    },
    {
      "rdb_last_save_time",
      "redis_rdb_last_save_timestamp_seconds",
      "When the last RDB save succeeded (Unix time)."
    },
    {"rdb_bgsave_in_progress", "redis_rdb_bgsave_in_progress", "1 while an RDB save runs."},
    {"aof_enabled", "redis_aof_enabled", "1 when the append-only file is on."},
    {"aof_rewrite_in_progress", "redis_aof_rewrite_in_progress", "1 while an AOF rewrite runs."},
    {"connected_slaves", "redis_connected_slaves", "Replicas connected to this primary."},
    {"master_repl_offset", "redis_master_repl_offset", "Replication offset of this server."},
    {
      "master_last_io_seconds_ago",
      "redis_master_last_io_seconds_ago",
      "A replica: seconds since it last heard from its primary."
    },
    {"master_sync_in_progress", "redis_master_sync_in_progress", "A replica: 1 while syncing."}
  };

  /** INFO field, the text that means healthy, metric name, help: 1 when it is that text. */
  private static final String[][] STATES = {
    {
      "rdb_last_bgsave_status",
      "ok",
      "redis_rdb_last_bgsave_status",
      "1 when the last RDB save succeeded."
    },
    {
      "aof_last_bgrewrite_status",
      "ok",
      "redis_aof_last_bgrewrite_status",
      "1 when the last AOF rewrite succeeded."
    },
    {
      "aof_last_write_status",
      "ok",
      "redis_aof_last_write_status",
      "1 when the last AOF write succeeded."
    },
    {
      "master_link_status",
      "up",
      "redis_master_link_up",
      "A replica: 1 while its link to the primary is up."
    }
  };

  private static final String[][] COUNTERS = {
    {"total_connections_received", "redis_connections_received_total", "Connections accepted."},
    {"total_commands_processed", "redis_commands_processed_total", "Commands processed."},
    {
      "rejected_connections",
      "redis_rejected_connections_total",
      "Connections refused (maxclients)."
    },
    {"total_net_input_bytes", "redis_net_input_bytes_total", "Bytes read from the network."},
    {"total_net_output_bytes", "redis_net_output_bytes_total", "Bytes written to the network."},
    {"expired_keys", "redis_expired_keys_total", "Keys removed by expiry."},
    {"evicted_keys", "redis_evicted_keys_total", "Keys evicted under maxmemory."},
    {"keyspace_hits", "redis_keyspace_hits_total", "Successful key lookups."},
    {"keyspace_misses", "redis_keyspace_misses_total", "Failed key lookups."},
    {"used_cpu_sys", "redis_cpu_sys_seconds_total", "System CPU Redis used."},
    {"used_cpu_user", "redis_cpu_user_seconds_total", "User CPU Redis used."}
  };

  /** How many of the newest slow log entries are read for their durations. */
  static final int SLOWLOG_ENTRIES = 10;

  private static final ProtocolKeyword LATENCY =
      new ProtocolKeyword() {
        @Override
        public byte[] getBytes() {
          return "LATENCY".getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public String name() {
          return "LATENCY";
        }
      };

  private final RedisConnection redis;
  private final Duration timeout;

  public RedisCollector(RedisConnection redis, Duration timeout) {
    this.redis = redis;
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return "redis";
  }

  @Override
  public List<MetricSnapshot> collect() {
    Answers a;
    try {
      a = ask();
      redis.report(null);
    } catch (RedisException e) {
      redis.report(e);
      return up(0);
    }
    Map<String, String> info = RedisInfo.parse(a.info());
    List<MetricSnapshot> out = new ArrayList<>(up(1));
    for (String[] g : GAUGES) {
      number(info, g[0]).ifPresent(v -> out.add(Family.gauge(g[1], g[2]).add(v).toSnapshot()));
    }
    for (String[] s : STATES) {
      if (info.containsKey(s[0])) {
        out.add(Family.gauge(s[2], s[3]).add(s[1].equals(info.get(s[0])) ? 1 : 0).toSnapshot());
      }
    }
    for (String[] c : COUNTERS) {
      number(info, c[0]).ifPresent(v -> out.add(Family.counter(c[1], c[2]).add(v).toSnapshot()));
    }
    out.add(
        Family.gauge(
                "redis_instance_info",
                "1, labelled with the server's role, version, mode and eviction policy.",
                "role",
                "redis_version",
                "redis_mode",
                "maxmemory_policy")
            .add(
                1,
                info.getOrDefault("role", ""),
                info.getOrDefault("redis_version", ""),
                info.getOrDefault("redis_mode", ""),
                info.getOrDefault("maxmemory_policy", ""))
            .toSnapshot());
    out.addAll(RedisInfoSections.keyspace(info));
    out.addAll(RedisInfoSections.replicas(info));
    out.addAll(RedisInfoSections.commands(info));
    out.addAll(RedisInfoSections.slowlog(a.slowlogLength(), a.slowlog()));
    out.addAll(RedisInfoSections.latencySpikes(a.latency()));
    return out;
  }

  private record Answers(
      String info, long slowlogLength, List<Object> slowlog, List<Object> latency) {}

  /** INFO ALL, SLOWLOG LEN, SLOWLOG GET, LATENCY LATEST: sent together, awaited together. */
  // Long on purpose: the four commands sent, then their answers awaited in one place.
  private Answers ask() {
    RedisAsyncCommands<String, String> async = redis.get().async();
    RedisFuture<String> info = async.info("all");
    // The others are optional: refused by an ACL or renamed away, they are simply left out.
    RedisFuture<Long> length = async.slowlogLen();
    RedisFuture<List<Object>> slowlog = async.slowlogGet(SLOWLOG_ENTRIES);
    RedisFuture<List<Object>> latency =
        async.dispatch(
            LATENCY,
            new NestedMultiOutput<>(StringCodec.UTF8),
            new CommandArgs<>(StringCodec.UTF8).add("LATEST"));
    long deadline = System.nanoTime() + timeout.toNanos();
    for (RedisFuture<?> f : List.of(info, length, slowlog, latency)) {
      try {
        f.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RedisException("interrupted");
      }
    }
    if (!info.isDone()) {
      throw new RedisException("Redis did not answer INFO within " + timeout.toMillis() + " ms");
    }
    return new Answers(
        answer(info).orElseThrow(), // no INFO: Redis counts as down
        answer(length).orElse(0L),
        answer(slowlog).orElse(List.of()), // refused (ACL, renamed): left out, not down
        answer(latency).orElse(List.of()));
  }

  private static <T> Optional<T> answer(RedisFuture<T> f) {
    if (!f.isDone()) {
      f.cancel(true);
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(f.get());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RedisException("interrupted");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RedisException r
          && !(r instanceof RedisCommandExecutionException)) {
        throw r; // the connection failed, not the command
      }
      return Optional.empty();
    }
  }

  private static List<MetricSnapshot> up(int value) {
    return List.of(
        Family.gauge("caretaker_redis_up", "1 when the last collection reached Redis.")
            .add(value)
            .toSnapshot(),
        Family.gauge(
                "redis_up", "1 when the last collection reached Redis (redis_exporter's name).")
            .add(value)
            .toSnapshot());
  }

  static OptionalDouble number(Map<String, String> info, String key) {
    try {
      return info.containsKey(key)
          ? OptionalDouble.of(Double.parseDouble(info.get(key)))
          : OptionalDouble.empty();
    } catch (NumberFormatException e) {
      return OptionalDouble.empty();
    }
  }
}
