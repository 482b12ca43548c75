package io.caretaker.collect;

import io.caretaker.config.RedisConfig.KeyGroups;
import io.caretaker.metrics.Family;
import io.caretaker.redis.RedisConnection;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Memory by key group ({@code redis.key_groups}): how many keys each group holds, how much memory
 * they take, and the biggest of them. Measuring means touching every key, so it is never done in
 * the collection cycle: a background {@link KeyGroupScan} runs every {@code every} and this
 * collector serves what the last pass found (nothing before the first one ends).
 */
public final class KeyGroupCollector implements Collector, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KeyGroupCollector.class);

  private final KeyGroupScan scan;
  private final KeyGroups config;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "caretaker-key-groups");
            t.setDaemon(true);
            return t;
          });
  private volatile KeyGroupScan.Result last;
  private boolean failing;

  public KeyGroupCollector(
      RedisConnection redis, KeyGroups config, BooleanSupplier cleanupRunning, Clock clock) {
    this.scan = new KeyGroupScan(redis, config, cleanupRunning, clock);
    this.config = config;
  }

  /** Starts the passes: the first soon after start-up, then every {@code every}. */
  public KeyGroupCollector start() {
    timer.scheduleWithFixedDelay(
        this::scanSafely, 10, config.every().toSeconds(), TimeUnit.SECONDS);
    return this;
  }

  /** One pass now, on the caller's thread (tests). */
  KeyGroupScan.Result scanOnce() throws InterruptedException {
    last = scan.run();
    return last;
  }

  private void scanSafely() {
    try {
      scanOnce();
      if (failing) {
        log.info("Key-group scan works again");
        failing = false;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      if (!failing) {
        log.warn("Key-group scan failed (logged once until it works again): {}", e.toString());
        failing = true;
      }
    }
  }

  @Override
  public String name() {
    return "redis_key_groups";
  }

  @Override
  public List<MetricSnapshot> collect() {
    KeyGroupScan.Result r = last;
    if (r == null) {
      return List.of();
    }
    Family keys =
        Family.gauge("caretaker_redis_key_group_keys", "Keys in each group (last scan).", "group");
    Family memory =
        Family.gauge(
            "caretaker_redis_key_group_memory_bytes",
            "Memory the group's keys take (MEMORY USAGE, sampled; last scan).",
            "group");
    Family biggest =
        Family.gauge(
            "caretaker_redis_biggest_key_bytes",
            "The group's biggest keys by rank (named only with key_names: true).",
            "group",
            "rank",
            "key");
    r.groups()
        .forEach(
            (group, g) -> {
              keys.add(g.keys(), group);
              memory.add(g.bytes(), group);
              for (int i = 0; i < g.biggest().size(); i++) {
                KeyGroupScan.Key k = g.biggest().get(i);
                biggest.add(
                    k.bytes(), group, Integer.toString(i + 1), config.keyNames() ? k.name() : "");
              }
            });
    List<MetricSnapshot> out = new ArrayList<>();
    out.add(keys.toSnapshot());
    out.add(memory.toSnapshot());
    out.add(biggest.toSnapshot());
    out.add(
        Family.gauge(
                "caretaker_redis_key_groups_scan_timestamp_seconds", "When the last scan started.")
            .add(r.at().toEpochMilli() / 1000.0)
            .toSnapshot());
    out.add(
        Family.gauge(
                "caretaker_redis_key_groups_scan_duration_seconds", "How long the last scan took.")
            .add(r.took().toNanos() / 1e9)
            .toSnapshot());
    return out;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
