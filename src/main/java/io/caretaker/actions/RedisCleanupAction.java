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
 * ({@link RedisLock}) keeps agents sharing one Redis from cleaning at once.
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
    Sweep sweep = null;
    try (StatefulRedisConnection<byte[], byte[]> connection =
        redis.connectDedicated(ByteArrayCodec.INSTANCE)) {
      RedisCommands<byte[], byte[]> cmds = connection.sync();
      refuseUnsafeSetup(cmds, details);
      details.put("used_memory_before", usedMemory(cmds));
      RedisLock lock = RedisLock.acquire(cmds, name, owner)
          .orElseThrow(() -> new ActionSkipped("locked", details));
      sweep = new Sweep(connection.async(), cmds.scriptLoad(SCRIPT), lock, ctx.dryRun());
      try {
        for (String pattern : spec.patterns()) {
          if (!sweep.pattern(new RedisGlob(pattern))) {
            break;
          }
        }
      } finally {
        release(lock);
      }
      sweep.report(details);
      if (spec.memoryPurge() && !ctx.dryRun()) {
        details.put("memory_purge", memoryPurge(cmds));
      }
      details.put("used_memory_after", usedMemory(cmds));
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
    }
  }

  /**
   * Redis Cluster needs a per-node scan this version does not do; an LFU eviction policy leaves
   * no idle time to filter on. Either way the run stops before deleting anything.
   */
  private void refuseUnsafeSetup(RedisCommands<byte[], byte[]> cmds, Map<String, Object> details)
      throws ActionFailure {
    if ("1".equals(RedisInfo.parse(cmds.info("cluster")).get("cluster_enabled"))) {
      throw new ActionFailure("Redis Cluster is not supported by redis-cleanup yet", details);
    }
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
  private record Delete(byte[][] keys, RedisFuture<Long> unlink,
      RedisFuture<List<Object>> script, long sentAt, CompletableFuture<Long> answeredAt) {
    /**
     * The answer's time is taken on Lettuce's thread as it arrives: the round trip must not
     * include time this side spent on the batch before, or pacing.
     */
    static Delete sent(byte[][] keys, RedisFuture<Long> unlink, RedisFuture<List<Object>> script,
        long sentAt) {
      RedisFuture<?> f = unlink != null ? unlink : script;
      return new Delete(keys, unlink, script, sentAt,
          f.toCompletableFuture().handle((result, failure) -> System.nanoTime()));
    }
  }

  /** One run's scanning and deleting, and its figures. */
  private final class Sweep {
    private static final int IN_FLIGHT = 2;
    private final RedisAsyncCommands<byte[], byte[]> async;
    private final String script;
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

    Sweep(RedisAsyncCommands<byte[], byte[]> async, String script, RedisLock lock,
        boolean dryRun) {
      this.async = async;
      this.script = script;
      this.lock = lock;
      this.dryRun = dryRun;
      String ttlMode = spec.onlyWithoutTtl() ? "none" : spec.ttlAbove().isPresent() ? "above" : "any";
      this.conditions = new byte[][] {
          bytes(Long.toString(spec.minIdle().toSeconds())), bytes(ttlMode),
          bytes(Long.toString(spec.ttlAbove().map(d -> d.toMillis()).orElse(0L))),
          bytes(dryRun ? "1" : "0")};
      this.plainUnlink = !dryRun && spec.minIdle().isZero() && !spec.onlyWithoutTtl()
          && spec.ttlAbove().isEmpty();
    }

    /**
     * Sweeps one pattern until its cursor is back at 0; false when the run must stop. The scan
     * runs one page ahead and up to {@link #IN_FLIGHT} deletes are outstanding, so Redis is not
     * idle while this side reads a reply; each delete's round trip still paces the run.
     */
    boolean pattern(RedisGlob pattern) throws InterruptedException {
      ArrayDeque<Delete> deletes = new ArrayDeque<>();
      RedisFuture<KeyScanCursor<byte[]>> next = scan(ScanCursor.INITIAL, pattern);
      boolean last = false;
      while (!last && !reachedMax && !lostLock) {
        KeyScanCursor<byte[]> page = await(next);
        scans++;
        scanned += page.getKeys().size();
        last = page.isFinished();
        List<byte[]> batch = candidates(page.getKeys());
        if (!last && !reachedMax) {
          next = scan(page, pattern);
        }
        if (!batch.isEmpty()) {
          deletes.add(send(batch));
        }
        while (deletes.size() >= IN_FLIGHT || (last || reachedMax) && !deletes.isEmpty()) {
          complete(deletes.poll());
        }
        lostLock = !lock.keep();
      }
      while (!deletes.isEmpty()) {
        complete(deletes.poll());
      }
      return last && !lostLock;
    }

    private RedisFuture<KeyScanCursor<byte[]>> scan(ScanCursor cursor, RedisGlob pattern) {
      return async.scan(cursor, ScanArgs.Builder.matches(pattern.bytes()).limit(pacer.batch()));
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

    /** Plain UNLINK when there is nothing to check; the script otherwise, and for plans. */
    private Delete send(List<byte[]> batch) {
      byte[][] keys = batch.toArray(new byte[0][]);
      pending += keys.length;
      long start = System.nanoTime();
      if (plainUnlink) {
        return Delete.sent(keys, async.unlink(keys), null, start);
      }
      return Delete.sent(keys, null,
          async.evalsha(script, ScriptOutputType.MULTI, keys, conditions), start);
    }

    private void complete(Delete d) throws InterruptedException {
      if (d.unlink() != null) {
        long unlinked = await(d.unlink());
        deleted += unlinked;
        vanished += d.keys().length - unlinked;
        for (int i = 0; i < d.keys().length && sample.size() < SAMPLE; i++) {
          sample.add(text(d.keys()[i]));
        }
      } else {
        verdicts(d.keys(), await(d.script()));
      }
      pending -= d.keys().length;
      pacer.observe(d.answeredAt().join() - d.sentAt());
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
