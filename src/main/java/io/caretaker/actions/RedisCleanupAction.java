package io.caretaker.actions;

import io.caretaker.collect.RedisConnection;
import io.caretaker.collect.RedisInfo;
import io.caretaker.config.ActionSpec;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Deletes stale cache keys without hurting the trading system that shares the Redis.
 *
 * <p>Per pattern, SCAN with MATCH (never KEYS) until the cursor is back at 0; protected keys are
 * dropped here, before Redis is asked to delete anything; a Lua script takes each bounded batch,
 * checks the idle and TTL conditions and unlinks the keys that pass, in one atomic step, so a key
 * touched after SCAN found it survives. The next SCAN page is in flight while a batch is deleted.
 * Each batch's round trip paces the run ({@link LatencyPacer}). A lock in Redis
 * ({@link RedisLock}) keeps agents sharing one Redis from cleaning at once. In a Redis Cluster
 * every master is swept in turn, and each delete stays within one hash slot.
 */
public final class RedisCleanupAction implements Action {
  private static final int SAMPLE = 20;
  private static final String SCRIPT = resource("redis-cleanup.lua");

  private final String name;
  private final ActionSpec.RedisCleanup spec;
  private final RedisConnection redis;
  private final String owner;
  private final List<RedisGlob> protect = new ArrayList<>();

  RedisCleanupAction(String name, ActionSpec.RedisCleanup spec, RedisConnection redis,
      String owner) {
    this.name = name;
    this.spec = spec;
    this.redis = redis;
    this.owner = owner;
    spec.protect().forEach(p -> protect.add(new RedisGlob(p)));
    protect.add(new RedisGlob(RedisLock.keyFor(name))); // its own lock, if a pattern is that wide
  }

  @Override
  public Map<String, Object> run(ActionContext ctx) throws Exception {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("patterns", spec.patterns());
    List<StatefulRedisConnection<byte[], byte[]>> open = new ArrayList<>();
    Sweep sweep = null;
    try {
      StatefulRedisConnection<byte[], byte[]> seed =
          opened(open, redis.connectDedicated(ByteArrayCodec.INSTANCE));
      Optional<ClusterNodes> cluster = cluster(seed.sync());
      // SCAN sees only the node it is sent to: in a cluster, every master is swept.
      List<StatefulRedisConnection<byte[], byte[]>> nodes = new ArrayList<>();
      StatefulRedisConnection<byte[], byte[]> lockNode = seed;
      if (cluster.isPresent()) {
        details.put("cluster_masters", cluster.get().masters().stream()
            .map(Object::toString).toList());
        ClusterNodes.Master lockOwner = cluster.get().owner(RedisLock.keyFor(name))
            .orElseThrow(() -> new ActionFailure("no cluster master serves the slot of "
                + RedisLock.keyFor(name), details));
        for (ClusterNodes.Master m : cluster.get().masters()) {
          StatefulRedisConnection<byte[], byte[]> node = opened(open,
              redis.connectNode(ByteArrayCodec.INSTANCE, m.host(), m.port()));
          nodes.add(node);
          if (m.equals(lockOwner)) {
            lockNode = node;
          }
        }
      } else {
        nodes.add(seed);
      }
      for (StatefulRedisConnection<byte[], byte[]> node : nodes) {
        refuseLfu(node.sync(), details);
      }
      details.put("used_memory_before", usedMemory(nodes));
      RedisLock lock = RedisLock.acquire(lockNode.sync(), name, owner)
          .orElseThrow(() -> new ActionSkipped("locked", details));
      sweep = new Sweep(lock, ctx.dryRun(), cluster.isPresent());
      try {
        sweep(sweep, nodes);
      } finally {
        release(lock);
      }
      sweep.report(details);
      if (spec.memoryPurge() && !ctx.dryRun()) {
        details.put("memory_purge", nodes.stream().map(n -> memoryPurge(n.sync())).toList());
      }
      details.put("used_memory_after", usedMemory(nodes));
      if (sweep.lostLock) {
        throw new ActionFailure("lost the Redis lock " + RedisLock.keyFor(name)
            + " (it expired or was taken); stopped", details);
      }
      return details;
    } catch (RedisException e) {
      if (sweep != null) {
        sweep.report(details);
      }
      throw new ActionFailure("Redis failed during the cleanup: " + e.getMessage(), details);
    } finally {
      open.forEach(StatefulRedisConnection::close);
    }
  }

  private void sweep(Sweep sweep, List<StatefulRedisConnection<byte[], byte[]>> nodes)
      throws InterruptedException {
    for (StatefulRedisConnection<byte[], byte[]> node : nodes) {
      sweep.on(node.async(), node.sync().scriptLoad(SCRIPT));
      for (String pattern : spec.patterns()) {
        if (!sweep.pattern(new RedisGlob(pattern))) {
          return;
        }
      }
    }
  }

  private static <T> T opened(List<? super T> open, T connection) {
    open.add(connection);
    return connection;
  }

  /** The cluster's masters when this Redis is a cluster node. */
  private static Optional<ClusterNodes> cluster(RedisCommands<byte[], byte[]> cmds) {
    if (!"1".equals(RedisInfo.parse(cmds.info("cluster")).get("cluster_enabled"))) {
      return Optional.empty();
    }
    return Optional.of(ClusterNodes.parse(cmds.clusterNodes()));
  }

  /** An LFU eviction policy leaves no idle time to filter on: stop before deleting anything. */
  private void refuseLfu(RedisCommands<byte[], byte[]> cmds, Map<String, Object> details)
      throws ActionFailure {
    if (spec.minIdle().isZero()) {
      return;
    }
    String policy;
    try {
      policy = cmds.configGet("maxmemory-policy").getOrDefault("maxmemory-policy", "");
    } catch (RedisException configDisabled) {
      return; // managed Redis may forbid CONFIG; OBJECT IDLETIME then fails the script itself
    }
    if (policy.contains("lfu")) {
      throw new ActionFailure("min_idle needs idle times, but Redis's maxmemory-policy is "
          + policy + ", which keeps access frequencies instead (OBJECT IDLETIME is refused); "
          + "set min_idle: 0 or use an lru/noeviction policy", details);
    }
  }

  private static long usedMemory(List<StatefulRedisConnection<byte[], byte[]>> nodes) {
    return nodes.stream().mapToLong(n -> usedMemory(n.sync())).sum();
  }

  private static long usedMemory(RedisCommands<byte[], byte[]> cmds) {
    return Long.parseLong(RedisInfo.parse(cmds.info("memory")).getOrDefault("used_memory", "0"));
  }

  /** MEMORY PURGE hands freed pages back to the OS (jemalloc only; others say so). */
  private static String memoryPurge(RedisCommands<byte[], byte[]> cmds) {
    try {
      return cmds.dispatch(CommandType.MEMORY, new StatusOutput<>(ByteArrayCodec.INSTANCE),
          new CommandArgs<>(ByteArrayCodec.INSTANCE).add("PURGE"));
    } catch (RedisException e) {
      return "failed: " + e.getMessage();
    }
  }

  /** Releases the lock; if that fails (Redis gone, run interrupted) it expires by itself. */
  private static void release(RedisLock lock) {
    boolean interrupted = Thread.interrupted();
    try {
      lock.release();
    } catch (RedisException ignored) {
      // expires after RedisLock.TTL
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** A batch sent for deletion: plain UNLINK or the script. */
  private record Part(byte[][] keys, RedisFuture<Long> unlink,
      RedisFuture<List<Object>> script) {
    CompletableFuture<?> future() {
      return (unlink != null ? unlink : script).toCompletableFuture();
    }
  }

  /**
   * How long Redis worked on one command of ours: from the later of its sending and the answer to
   * the command before it on the connection (Redis answers in order) to its own answer. That is
   * how long a client arriving meanwhile waits at most; with commands pipelined, the plain round
   * trip would also count the time spent behind our previous command. Answer times are taken on
   * Lettuce's thread as they arrive, so time this side spends on a reply or pacing is not counted.
   */
  private record Timing(long sentAt, CompletableFuture<Long> answeredAt,
      CompletableFuture<Long> previous) {
    long serviceNanos() {
      long start = previous == null ? sentAt : Math.max(sentAt, previous.join());
      return Math.max(0, answeredAt.join() - start);
    }
  }

  /** One batch sent for deletion: one command, or in a cluster one per hash slot. */
  private record Delete(List<Part> parts, int size, Timing timing) {}

  /** One run's scanning and deleting, and its figures. */
  private final class Sweep {
    private static final int IN_FLIGHT = 2;
    private RedisAsyncCommands<byte[], byte[]> async;
    private String script;
    private final boolean cluster;
    private final RedisLock lock;
    private final boolean dryRun;
    private final LatencyPacer pacer = new LatencyPacer(spec.batch(), spec.latencyTarget());
    // Keys already accounted for that may come again: kept ones, and in a plan the doomed too.
    private final KeyFingerprints seen = new KeyFingerprints();
    private final List<String> sample = new ArrayList<>();
    private final byte[][] conditions;
    private final boolean plainUnlink;
    private long scanned;
    private long scans;
    private long protectedKeys;
    private long recent;
    private long ttlKept;
    private long vanished;
    private long deleted;
    private long pending; // keys in deletes not yet answered
    private boolean lostLock;
    private boolean reachedMax;
    private Timing scanTiming; // of the scan in flight
    private CompletableFuture<Long> lastAnswer; // of the command sent last

    Sweep(RedisLock lock, boolean dryRun, boolean cluster) {
      this.cluster = cluster;
      this.lock = lock;
      this.dryRun = dryRun;
      String ttlMode = spec.onlyWithoutTtl() ? "none"
          : spec.ttlAbove().isPresent() ? "above" : "any";
      this.conditions = new byte[][] {
          bytes(Long.toString(spec.minIdle().toSeconds())), bytes(ttlMode),
          bytes(Long.toString(spec.ttlAbove().map(d -> d.toMillis()).orElse(0L))),
          bytes(dryRun ? "1" : "0")};
      this.plainUnlink = !dryRun && spec.minIdle().isZero() && !spec.onlyWithoutTtl()
          && spec.ttlAbove().isEmpty();
    }

    /** Sweeps this node next (a cluster master, or the one Redis). */
    void on(RedisAsyncCommands<byte[], byte[]> node, String scriptSha) {
      this.async = node;
      this.script = scriptSha;
    }

    /**
     * Sweeps one pattern until its cursor is back at 0; false when the run must stop. The scan
     * runs one page ahead and up to {@link #IN_FLIGHT} deletes are outstanding, so Redis is not
     * idle while this side reads a reply. Pages keep the configured size; the pacer sizes the
     * delete batches a page is cut into.
     */
    boolean pattern(RedisGlob pattern) throws InterruptedException {
      ArrayDeque<Delete> deletes = new ArrayDeque<>();
      RedisFuture<KeyScanCursor<byte[]>> next = scan(ScanCursor.INITIAL, pattern);
      boolean last = false;
      while (!last && !reachedMax && !lostLock) {
        KeyScanCursor<byte[]> page = await(next);
        pacer.observe(scanTiming.serviceNanos());
        scans++;
        scanned += page.getKeys().size();
        last = page.isFinished();
        List<byte[]> batch = candidates(page.getKeys());
        if (!last && !reachedMax) {
          next = scan(page, pattern);
        }
        for (int from = 0; from < batch.size(); ) {
          int to = Math.min(batch.size(), from + pacer.batch());
          deletes.add(send(batch.subList(from, to)));
          from = to;
          while (deletes.size() >= IN_FLIGHT) {
            complete(deletes.poll());
          }
        }
        lostLock = !lock.keep();
      }
      while (!deletes.isEmpty()) {
        complete(deletes.poll());
      }
      return last && !lostLock;
    }

    private RedisFuture<KeyScanCursor<byte[]>> scan(ScanCursor cursor, RedisGlob pattern) {
      RedisFuture<KeyScanCursor<byte[]>> f = async.scan(cursor,
          ScanArgs.Builder.matches(pattern.bytes()).limit(spec.batch()));
      scanTiming = timed(System.nanoTime(), f.toCompletableFuture());
      return f;
    }

    private Timing timed(long sentAt, CompletableFuture<?> answer) {
      Timing t = new Timing(sentAt, answer.handle((result, failure) -> System.nanoTime()),
          lastAnswer);
      lastAnswer = t.answeredAt();
      return t;
    }

    /** The page's keys that may be deleted: not protected, not kept before, within max_keys. */
    private List<byte[]> candidates(List<byte[]> keys) {
      List<byte[]> batch = new ArrayList<>(keys.size());
      for (byte[] key : keys) {
        if (seen.contains(key)) {
          continue; // SCAN returned it twice
        }
        if (isProtected(key)) {
          seen.add(key);
          protectedKeys++;
          continue;
        }
        if (deleted + pending + batch.size() >= spec.maxKeys()) {
          reachedMax = true;
          break;
        }
        batch.add(key);
      }
      return batch;
    }

    private boolean isProtected(byte[] key) {
      for (RedisGlob p : protect) {
        if (p.matches(key)) {
          return true;
        }
      }
      return false;
    }

    /**
     * Sends the batch; in a cluster, one command per hash slot (a multi-key command must stay in
     * one slot), paced as one.
     */
    private Delete send(List<byte[]> batch) {
      long start = System.nanoTime();
      pending += batch.size();
      List<Part> parts;
      if (cluster) {
        Map<Integer, List<byte[]>> bySlot = new LinkedHashMap<>();
        for (byte[] key : batch) {
          bySlot.computeIfAbsent(SlotHash.getSlot(key), s -> new ArrayList<>()).add(key);
        }
        parts = bySlot.values().stream().map(this::part).toList();
      } else {
        parts = List.of(part(batch));
      }
      CompletableFuture<?> all = CompletableFuture.allOf(parts.stream().map(Part::future)
          .toArray(CompletableFuture<?>[]::new));
      return new Delete(parts, batch.size(), timed(start, all));
    }

    /** Plain UNLINK when there is nothing to check; the script otherwise, and for plans. */
    private Part part(List<byte[]> batch) {
      byte[][] keys = batch.toArray(new byte[0][]);
      if (plainUnlink) {
        return new Part(keys, async.unlink(keys), null);
      }
      return new Part(keys, null,
          async.evalsha(script, ScriptOutputType.MULTI, keys, conditions));
    }

    private void complete(Delete d) throws InterruptedException {
      for (Part p : d.parts()) {
        if (p.unlink() != null) {
          long unlinked = await(p.unlink());
          deleted += unlinked;
          vanished += p.keys().length - unlinked;
          for (int i = 0; i < p.keys().length && sample.size() < SAMPLE; i++) {
            sample.add(text(p.keys()[i]));
          }
        } else {
          verdicts(p.keys(), await(p.script()));
        }
      }
      pending -= d.size();
      pacer.observe(d.timing().serviceNanos());
    }

    private void verdicts(byte[][] keys, List<Object> result) {
      byte[] verdicts = (byte[]) result.get(1);
      if (!dryRun) {
        deleted += (Long) result.get(0);
      }
      for (int i = 0; i < keys.length; i++) {
        switch (verdicts[i]) {
          case 'D' -> {
            if (dryRun) {
              count(keys[i], () -> deleted++);
            }
            if (sample.size() < SAMPLE) {
              sample.add(text(keys[i]));
            }
          }
          case 'R' -> count(keys[i], () -> recent++);
          case 'T' -> count(keys[i], () -> ttlKept++);
          default -> vanished++;
        }
      }
    }

    private void count(byte[] key, Runnable counter) {
      if (seen.add(key)) {
        counter.run();
      }
    }

    void report(Map<String, Object> details) {
      details.put("keys_scanned", scanned);
      details.put("keys_matched", deleted + protectedKeys + recent + ttlKept);
      details.put("keys_protected", protectedKeys);
      details.put("keys_kept_recent", recent);
      details.put("keys_kept_ttl", ttlKept);
      details.put("keys_vanished", vanished);
      details.put("keys_deleted", deleted);
      details.put("max_keys_reached", reachedMax);
      details.put("scan_calls", scans);
      pacer.report(details);
      details.put(dryRun ? "would_delete_sample" : "deleted_sample", List.copyOf(sample));
    }
  }

  private static <T> T await(RedisFuture<T> future) throws InterruptedException {
    try {
      return future.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RedisException r ? r : new RedisException(e.getCause());
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] key) {
    return new String(key, StandardCharsets.UTF_8);
  }

  private static String resource(String name) {
    try (InputStream in = RedisCleanupAction.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
