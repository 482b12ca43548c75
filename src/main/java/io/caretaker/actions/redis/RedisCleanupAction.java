package io.caretaker.actions.redis;

import io.caretaker.actions.Action;
import io.caretaker.actions.ActionContext;
import io.caretaker.actions.ActionFailure;
import io.caretaker.actions.ActionSkipped;
import io.caretaker.actions.Figure;
import io.caretaker.actions.Progress;
import io.caretaker.actions.SkipReason;
import io.caretaker.config.ActionSpec;
import io.caretaker.redis.BulkArgs;
import io.caretaker.redis.LatencyPacer;
import io.caretaker.redis.RedisConnection;
import io.caretaker.redis.RedisInfo;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

// One file on purpose: the paced, pipelined sweep is one state machine sharing its counters.
/**
 * Deletes stale cache keys without hurting the trading system that shares the Redis.
 *
 * <p>Per pattern, SCAN with MATCH (never KEYS) until the cursor is back at 0; protected keys are
 * dropped here, before Redis is asked to delete anything; a Lua script takes each bounded batch,
 * checks the idle and TTL conditions and unlinks the keys that pass, in one atomic step, so a key
 * touched after SCAN found it survives. The next SCAN page is in flight while a batch is deleted.
 * How long each SCAN page and delete batch held Redis, on Redis's own clock ({@link HoldTimer}),
 * sizes the next ones ({@link LatencyPacer}). A lock in Redis ({@link RedisLock}) keeps agents
 * sharing one Redis from cleaning at once. In a Redis Cluster every master is swept in turn, and
 * each delete stays within one hash slot.
 */
public final class RedisCleanupAction implements Action {
  private static final int SAMPLE = 20;
  private static final String SCRIPT = resource("redis-cleanup.lua");

  private final String name;
  private final ActionSpec.RedisCleanup spec;
  private final RedisConnection redis;
  private final String owner;
  private final List<RedisGlob> protect = new ArrayList<>();

  public RedisCleanupAction(
      String name, ActionSpec.RedisCleanup spec, RedisConnection redis, String owner) {
    this.name = name;
    this.spec = spec;
    this.redis = redis;
    this.owner = owner;
    spec.protect().forEach(p -> protect.add(new RedisGlob(p)));
    protect.add(new RedisGlob(RedisLock.keyFor(name))); // its own lock, if a pattern is that wide
  }

  @Override
  public Set<Figure> figures() {
    return Set.of(Figure.KEYS_DELETED);
  }

  @Override
  // Long on purpose: opens, sweeps and closes the connections it owns in one try, so none leaks.
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
      List<Node> nodes = new ArrayList<>();
      StatefulRedisConnection<byte[], byte[]> lockNode = seed;
      if (cluster.isPresent()) {
        details.put(
            "cluster_masters",
            cluster.get().masters().stream().map(ClusterNodes::address).toList());
        RedisClusterNode lockOwner =
            cluster
                .get()
                .owner(RedisLock.keyFor(name))
                .orElseThrow(
                    () ->
                        new ActionFailure(
                            "no cluster master serves the slot of " + RedisLock.keyFor(name),
                            details));
        for (RedisClusterNode m : cluster.get().masters()) {
          Supplier<StatefulRedisConnection<byte[], byte[]>> connect =
              () ->
                  redis.connectNode(
                      ByteArrayCodec.INSTANCE, m.getUri().getHost(), m.getUri().getPort());
          Node node = new Node(opened(open, connect.get()), timer(open, connect));
          nodes.add(node);
          if (m.equals(lockOwner)) {
            lockNode = node.control();
          }
        }
      } else {
        nodes.add(
            new Node(seed, timer(open, () -> redis.connectDedicated(ByteArrayCodec.INSTANCE))));
      }
      for (Node node : nodes) {
        refuseLfu(node.control().sync(), details);
      }
      details.put("used_memory_before", usedMemory(nodes));
      RedisLock lock =
          RedisLock.acquire(lockNode.sync(), name, owner)
              .orElseThrow(() -> new ActionSkipped(SkipReason.LOCKED, details));
      sweep = new Sweep(lock, ctx.dryRun(), cluster.isPresent(), ctx.progress());
      try {
        sweep(sweep, nodes);
      } finally {
        release(lock);
      }
      sweep.report(details);
      if (spec.memoryPurge() && !ctx.dryRun()) {
        details.put(
            "memory_purge", nodes.stream().map(n -> memoryPurge(n.control().sync())).toList());
      }
      details.put("used_memory_after", usedMemory(nodes));
      if (sweep.lostLock) {
        throw new ActionFailure(
            "lost the Redis lock " + RedisLock.keyFor(name) + " (it expired or was taken); stopped",
            details);
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

  private void sweep(Sweep sweep, List<Node> nodes) throws InterruptedException {
    for (Node node : nodes) {
      sweep.on(node.timer(), node.control().sync().scriptLoad(SCRIPT));
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

  /**
   * One Redis to sweep: a connection for the run's own commands (lock, INFO, script load) and one
   * of its own for the sweep, whose commands are timed in groups.
   */
  private record Node(StatefulRedisConnection<byte[], byte[]> control, HoldTimer timer) {}

  private static HoldTimer timer(
      List<StatefulRedisConnection<byte[], byte[]>> open,
      Supplier<StatefulRedisConnection<byte[], byte[]>> connect) {
    return new HoldTimer(opened(open, connect.get()));
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
      throw new ActionFailure(
          "min_idle needs idle times, but Redis's maxmemory-policy is "
              + policy
              + ", which keeps access frequencies instead (OBJECT IDLETIME is refused); "
              + "set min_idle: 0 or use an lru/noeviction policy",
          details);
    }
  }

  private static long usedMemory(List<Node> nodes) {
    return nodes.stream().mapToLong(n -> usedMemory(n.control().sync())).sum();
  }

  private static long usedMemory(RedisCommands<byte[], byte[]> cmds) {
    return Long.parseLong(RedisInfo.parse(cmds.info("memory")).getOrDefault("used_memory", "0"));
  }

  /** MEMORY PURGE hands freed pages back to the OS (jemalloc only; others say so). */
  private static String memoryPurge(RedisCommands<byte[], byte[]> cmds) {
    try {
      return cmds.dispatch(
          CommandType.MEMORY,
          new StatusOutput<>(ByteArrayCodec.INSTANCE),
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
  private record Part(byte[][] keys, RedisFuture<Long> unlink, RedisFuture<List<Object>> script) {}

  /** Commands sent together, between two TIMEs (see {@link HoldTimer}). */
  private sealed interface Group permits Scan, Delete {}

  /** One SCAN page asked for. */
  private record Scan(RedisFuture<KeyScanCursor<byte[]>> page, CompletableFuture<Long> heldNanos)
      implements Group {}

  /** One batch sent for deletion: one command, or in a cluster one per hash slot. */
  private record Delete(List<Part> parts, int size, CompletableFuture<Long> heldNanos)
      implements Group {}

  /** One run's scanning and deleting, and its figures. */
  private final class Sweep {
    private static final int IN_FLIGHT = 2;
    private HoldTimer timer;
    private String script;
    private final boolean cluster;
    private final RedisLock lock;
    private final boolean dryRun;
    private final Progress progress;
    // SCAN pages and delete batches cost Redis differently per key: each is sized on its own.
    private final LatencyPacer scanPacer = new LatencyPacer(spec.batch(), spec.latencyTarget());
    private final LatencyPacer deletePacer = new LatencyPacer(spec.batch(), spec.latencyTarget());
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
    private List<RedisGlob> guards; // the protect globs that can match the pattern being swept

    Sweep(RedisLock lock, boolean dryRun, boolean cluster, Progress progress) {
      this.progress = progress;
      this.cluster = cluster;
      this.lock = lock;
      this.dryRun = dryRun;
      String ttlMode =
          spec.onlyWithoutTtl() ? "none" : spec.ttlAbove().isPresent() ? "above" : "any";
      this.conditions =
          new byte[][] {
            bytes(Long.toString(spec.minIdle().toSeconds())),
            bytes(ttlMode),
            bytes(Long.toString(spec.ttlAbove().map(d -> d.toMillis()).orElse(0L))),
            bytes(dryRun ? "1" : "0")
          };
      this.plainUnlink =
          !dryRun && spec.minIdle().isZero() && !spec.onlyWithoutTtl() && spec.ttlAbove().isEmpty();
    }

    /** Sweeps this node next (a cluster master, or the one Redis), through a timer of its own. */
    void on(HoldTimer nodeTimer, String scriptSha) {
      this.timer = nodeTimer;
      this.script = scriptSha;
    }

    /**
     * Sweeps one pattern until its cursor is back at 0; false when the run must stop.
     *
     * <p>Two groups (a SCAN page, a delete batch) are in flight, so Redis is not idle while this
     * side reads an answer, and each answer is followed by exactly one new group: Redis, which runs
     * everything it read from a client in one go, then never finds two of ours waiting, and no
     * other client waits for more than one of them.
     */
    boolean pattern(RedisGlob pattern) throws InterruptedException {
      guards = protect.stream().filter(p -> !p.disjointFrom(pattern)).toList();
      ArrayDeque<Group> inFlight = new ArrayDeque<>();
      ArrayDeque<byte[]> candidates = new ArrayDeque<>(); // scanned, not yet sent for deletion
      ScanCursor cursor = ScanCursor.INITIAL;
      boolean swept = false; // the cursor came back to 0
      while (true) {
        Group next = lostLock ? null : next(inFlight, candidates, cursor, swept, pattern);
        if (next != null) {
          inFlight.add(next);
          if (inFlight.size() < IN_FLIGHT) {
            continue; // filling the pipeline: at the start, or after it ran dry
          }
        }
        Group done = inFlight.poll();
        if (done == null) {
          return swept && !lostLock;
        }
        if (done instanceof Scan s) {
          KeyScanCursor<byte[]> page = await(s.page());
          pause(scanPacer.observe(s.heldNanos().join()));
          scanned += page.getKeys().size();
          progress.set("keys_scanned", scanned);
          candidates.addAll(candidates(page.getKeys(), candidates.size()));
          cursor = page;
          swept = page.isFinished();
        } else {
          complete((Delete) done);
        }
        lostLock = !lock.keep();
      }
    }

    /**
     * What to send next: the next SCAN page as soon as its cursor is known, while the candidates
     * are fewer than a delete batch and a page; else a delete batch of the candidates (up to the
     * batch size); null when there are none. Scanning ahead keeps a page in flight while the
     * deletes drain, so Redis never waits while this side reads a page: asking for the next page
     * only once the candidates ran out left Redis idle for one such read per page (about a sixth of
     * a run with {@code min_idle}).
     */
    private Group next(
        ArrayDeque<Group> inFlight,
        ArrayDeque<byte[]> candidates,
        ScanCursor cursor,
        boolean swept,
        RedisGlob pattern) {
      boolean scanAhead = inFlight.stream().anyMatch(Scan.class::isInstance);
      boolean canScan = !scanAhead && !swept && !reachedMax;
      if (canScan && candidates.size() < deletePacer.batch() + scanPacer.batch()) {
        return scan(cursor, pattern);
      }
      return candidates.isEmpty() ? null : send(candidates);
    }

    private Scan scan(ScanCursor cursor, RedisGlob pattern) {
      scans++;
      ScanArgs args = ScanArgs.Builder.matches(pattern.bytes()).limit(scanPacer.batch());
      HoldTimer.Timed<RedisFuture<KeyScanCursor<byte[]>>> t =
          timer.time(() -> timer.commands().scan(cursor, args));
      return new Scan(t.sent(), t.heldNanos());
    }

    /**
     * The page's keys that may be deleted: not protected, not kept before, within max_keys counting
     * the {@code queued} candidates not yet sent.
     */
    private List<byte[]> candidates(List<byte[]> keys, int queued) {
      List<byte[]> batch = new ArrayList<>(keys.size());
      for (byte[] key : keys) {
        if (seen.size() > 0 && seen.contains(key)) {
          continue; // SCAN returned it twice
        }
        if (isProtected(key)) {
          seen.add(key);
          protectedKeys++;
          continue;
        }
        if (deleted + pending + queued + batch.size() >= spec.maxKeys()) {
          reachedMax = true;
          break;
        }
        batch.add(key);
      }
      return batch;
    }

    private boolean isProtected(byte[] key) {
      for (RedisGlob p : guards) {
        if (p.matches(key)) {
          return true;
        }
      }
      return false;
    }

    /**
     * Sends the next delete batch, taken from the front of the candidates; in a cluster, one
     * command per hash slot (a multi-key command must stay in one slot), timed as one.
     */
    private Delete send(ArrayDeque<byte[]> candidates) {
      List<byte[]> batch = new ArrayList<>(Math.min(candidates.size(), deletePacer.batch()));
      while (!candidates.isEmpty() && batch.size() < deletePacer.batch()) {
        batch.add(candidates.poll());
      }
      pending += batch.size();
      HoldTimer.Timed<List<Part>> parts =
          timer.time(() -> cluster ? bySlot(batch) : List.of(part(batch)));
      return new Delete(parts.sent(), batch.size(), parts.heldNanos());
    }

    private List<Part> bySlot(List<byte[]> batch) {
      Map<Integer, List<byte[]>> bySlot = new LinkedHashMap<>();
      for (byte[] key : batch) {
        bySlot.computeIfAbsent(SlotHash.getSlot(key), s -> new ArrayList<>()).add(key);
      }
      return bySlot.values().stream().map(this::part).toList();
    }

    /** Plain UNLINK when there is nothing to check; the script otherwise, and for plans. */
    private Part part(List<byte[]> batch) {
      byte[][] keys = batch.toArray(new byte[0][]);
      if (plainUnlink) {
        return new Part(
            keys,
            timer
                .commands()
                .dispatch(
                    CommandType.UNLINK,
                    new IntegerOutput<>(ByteArrayCodec.INSTANCE),
                    new BulkArgs(batch)),
            null);
      }
      // EVALSHA digest numkeys key... arg..., as Lettuce's evalsha would send it.
      List<byte[]> args = new ArrayList<>(2 + keys.length + conditions.length);
      args.add(bytes(script));
      args.add(bytes(Integer.toString(keys.length)));
      args.addAll(batch);
      args.addAll(Arrays.asList(conditions));
      return new Part(
          keys,
          null,
          timer
              .commands()
              .dispatch(
                  CommandType.EVALSHA,
                  new NestedMultiOutput<>(ByteArrayCodec.INSTANCE),
                  new BulkArgs(args)));
    }

    private void complete(Delete d) throws InterruptedException {
      for (Part p : d.parts()) {
        if (p.unlink() != null) {
          long unlinked = await(p.unlink());
          deleted += unlinked;
          progress.set("keys_deleted", deleted);
          vanished += p.keys().length - unlinked;
          for (int i = 0; i < p.keys().length && sample.size() < SAMPLE; i++) {
            sample.add(text(p.keys()[i]));
          }
        } else {
          verdicts(p.keys(), await(p.script()));
        }
      }
      pending -= d.size();
      pause(deletePacer.observe(d.heldNanos().join()));
    }

    /** Tallies the script's answer: how many went, and for each key kept, its place and why. */
    @SuppressWarnings("unchecked")
    private void verdicts(byte[][] keys, List<Object> result) {
      List<Object> kept = (List<Object>) result.get(1);
      if (!dryRun) {
        deleted += (Long) result.get(0);
        progress.set("keys_deleted", deleted);
      }
      int next = 0; // the next pair in kept
      for (int i = 0; i < keys.length; i++) {
        byte why = 'D';
        if (next < kept.size() && (Long) kept.get(next) == i + 1) {
          why = ((byte[]) kept.get(next + 1))[0];
          next += 2;
        }
        switch (why) {
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
      // A dry run says what it would do, in its own words; only real deletions are the figure.
      details.put(dryRun ? "would_delete" : Figure.KEYS_DELETED.key(), deleted);
      details.put("max_keys_reached", reachedMax);
      details.put("scan_calls", scans);
      LatencyPacer.report(details, scanPacer, deletePacer);
      details.put(dryRun ? "would_delete_sample" : "deleted_sample", List.copyOf(sample));
    }
  }

  private static void pause(long nanos) throws InterruptedException {
    if (nanos > 0) {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
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
