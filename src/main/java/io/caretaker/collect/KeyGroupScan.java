package io.caretaker.collect;

import io.caretaker.config.RedisConfig.KeyGroups;
import io.caretaker.redis.LatencyPacer;
import io.caretaker.redis.RedisConnection;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One pass over the configured key groups on a connection of its own: SCAN MATCH per group and
 * MEMORY USAGE ... SAMPLES for each key found (up to max_keys a group; the rest is extrapolated
 * from the mean), paced by the cleanup's {@link LatencyPacer} so no command holds Redis for long,
 * and waiting while a redis-cleanup of this agent runs (the two would only slow each other).
 */
final class KeyGroupScan {
  /** What one pass found: per group, its keys, memory and biggest keys. */
  record Result(Instant at, Duration took, Map<String, Group> groups) {}

  record Group(long keys, long measured, double bytes, List<Key> biggest) {}

  record Key(String name, long bytes) {}

  private final RedisConnection redis;
  private final KeyGroups config;
  private final BooleanSupplier cleanupRunning;
  private final Clock clock;

  KeyGroupScan(
      RedisConnection redis, KeyGroups config, BooleanSupplier cleanupRunning, Clock clock) {
    this.redis = redis;
    this.config = config;
    this.cleanupRunning = cleanupRunning;
    this.clock = clock;
  }

  Result run() throws InterruptedException {
    Instant start = clock.instant();
    long t0 = System.nanoTime();
    Map<String, Group> groups = new LinkedHashMap<>();
    try (StatefulRedisConnection<String, String> c = redis.connectDedicated()) {
      for (Map.Entry<String, String> g : config.patterns().entrySet()) {
        groups.put(g.getKey(), group(c.async(), g.getValue()));
      }
    }
    return new Result(start, Duration.ofNanos(System.nanoTime() - t0), groups);
  }

  // Long on purpose: the SCAN loop and the measuring of each page read together.
  private Group group(RedisAsyncCommands<String, String> redis, String glob)
      throws InterruptedException {
    LatencyPacer scanPacer = new LatencyPacer(config.batch(), config.latencyTarget());
    LatencyPacer memoryPacer = new LatencyPacer(config.batch(), config.latencyTarget());
    PriorityQueue<Key> biggest = new PriorityQueue<>(Comparator.comparingLong(Key::bytes));
    long keys = 0;
    long measured = 0;
    double bytes = 0;
    ScanCursor cursor = ScanCursor.INITIAL;
    do {
      waitForCleanup();
      long t = System.nanoTime();
      KeyScanCursor<String> page =
          await(redis.scan(cursor, ScanArgs.Builder.matches(glob).limit(scanPacer.batch())));
      pause(scanPacer.observe(System.nanoTime() - t));
      cursor = page;
      keys += page.getKeys().size();
      List<String> toMeasure =
          page.getKeys()
              .subList(0, (int) Math.min(page.getKeys().size(), config.maxKeys() - measured));
      for (int from = 0, to; from < toMeasure.size(); from = to) {
        to = Math.min(toMeasure.size(), from + memoryPacer.batch()); // the pacer resizes as it goes
        List<String> chunk = toMeasure.subList(from, to);
        List<RedisFuture<Long>> sizes = new ArrayList<>();
        t = System.nanoTime();
        for (String key : chunk) {
          sizes.add(memoryUsage(redis, key));
        }
        for (int i = 0; i < chunk.size(); i++) {
          Long size = await(sizes.get(i));
          if (size == null) {
            continue; // gone since the SCAN
          }
          measured++;
          bytes += size;
          biggest.add(new Key(chunk.get(i), size));
          if (biggest.size() > config.top()) {
            biggest.poll();
          }
        }
        // Redis runs a client's pipelined commands in one go: the chunk held it this long at most.
        pause(memoryPacer.observe(System.nanoTime() - t));
      }
    } while (!((KeyScanCursor<String>) cursor).isFinished());
    double total = measured == 0 ? 0 : bytes + (keys - measured) * (bytes / measured);
    List<Key> top = new ArrayList<>(biggest);
    top.sort(Comparator.comparingLong(Key::bytes).reversed());
    return new Group(keys, measured, total, top);
  }

  private RedisFuture<Long> memoryUsage(RedisAsyncCommands<String, String> redis, String key) {
    CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8).add("USAGE").addKey(key);
    if (config.samples() > 0) {
      args.add("SAMPLES").add(config.samples());
    }
    return redis.dispatch(CommandType.MEMORY, new IntegerOutput<>(StringCodec.UTF8), args);
  }

  private void waitForCleanup() throws InterruptedException {
    while (cleanupRunning.getAsBoolean()) {
      Thread.sleep(500); // a background pass; the cleanup has Redis to itself meanwhile
    }
  }

  private static void pause(long nanos) throws InterruptedException {
    if (nanos > 0) {
      TimeUnit.NANOSECONDS.sleep(nanos);
    }
  }

  private static <T> T await(RedisFuture<T> f) throws InterruptedException {
    try {
      return f.get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new io.lettuce.core.RedisException("key-group scan: " + e.getMessage(), e);
    }
  }
}
