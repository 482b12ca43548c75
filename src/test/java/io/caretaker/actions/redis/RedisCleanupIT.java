package io.caretaker.actions.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caretaker.actions.Action;
import io.caretaker.actions.Redactor;
import io.caretaker.actions.RunRecord;
import io.caretaker.actions.RunRecord.Outcome;
import io.caretaker.actions.Trigger;
import io.caretaker.config.ActionConfig;
import io.caretaker.config.Config;
import io.caretaker.config.ConfigLoader;
import io.caretaker.config.MaintenanceConfig;
import io.caretaker.daemon.ActionTypes;
import io.caretaker.redis.RedisConnection;
import io.caretaker.run.ActionExecutor;
import io.caretaker.run.ActionExecutor.RunOptions;
import io.caretaker.run.Maintenance;
import io.caretaker.run.RunHistory;
import io.caretaker.testing.RedisServer;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RestoreArgs;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** redis-cleanup against a real redis-server on a free port. */
class RedisCleanupIT {
  private static final long OLD = 7200; // seconds of idle time given to "old" keys

  @TempDir Path dir;
  private RedisServer server;
  private RedisClient client;
  private StatefulRedisConnection<String, String> connection;
  private RedisCommands<String, String> redis;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server = new RedisServer(dir.resolve("redis"));
    client = RedisClient.create(server.uri());
    connection = client.connect();
    redis = connection.sync();
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    connection.close();
    client.shutdown();
    server.close();
  }

  @Test
  void deletesExactlyTheIdleUnprotectedKeysOf200000WhileOthersAreTouchedAndAdded()
      throws Exception {
    seed(140_000, i -> "cache:" + i, true);
    seed(20_000, i -> "cache:fresh:" + i, false); // recently used: min_idle keeps them
    seed(20_000, i -> "cache:pos:" + i, true); // old, but protected
    seed(20_000, i -> "position:" + i, true); // matches no cleanup pattern
    Set<String> hot = new HashSet<>();
    for (int i = 0; i < 140_000; i += 140) {
      hot.add("cache:" + i); // old keys the app keeps reading
    }
    ActionExecutor executor =
        executor(
            """
        cache-cleanup: { type: redis-cleanup, patterns: ["cache:*"], protect: ["cache:pos:*"],
                         min_idle: 1h, batch: 1000 }
        """);
    AtomicBoolean running = new AtomicBoolean(true);
    Thread app = appTouching(hot, running);
    try {
      RunRecord run =
          executor
              .submit("cache-cleanup", Trigger.manual("test"), RunOptions.NORMAL)
              .result()
              .get();
      assertThat(run.outcome()).as(run.reason()).isEqualTo(Outcome.SUCCESS);
      Map<String, Object> d = run.details();
      assertThat(d.get("keys_deleted")).isEqualTo(140_000L - hot.size());
      assertThat(d.get("keys_protected")).isEqualTo(20_000L);
      assertThat((Long) d.get("keys_kept_recent")).isGreaterThanOrEqualTo(20_000L + hot.size());
      assertThat((List<?>) d.get("deleted_sample")).hasSize(20);
    } finally {
      running.set(false);
      app.join();
    }
    Set<String> left = keys("*");
    assertThat(left).containsAll(hot);
    List<String> survivors = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      survivors.addAll(List.of("cache:fresh:" + i, "cache:pos:" + i, "position:" + i));
    }
    assertThat(survivors.stream().filter(k -> !left.contains(k))).isEmpty();
    assertThat(left.stream().filter(k -> k.matches("cache:\\d+")).count()).isEqualTo(hot.size());
    assertThat(left.stream().filter(k -> k.startsWith("cache:new:")).count())
        .as("keys the app created during the run are young and survive")
        .isPositive();
    assertThat(redis.exists("caretaker:lock:cache-cleanup")).as("lock released").isZero();
  }

  @Test
  void withoutIdleFilterEveryUnprotectedMatchGoesAndDryRunPlansTheSame() throws Exception {
    seed(30_000, i -> "cache:" + i, false);
    seed(5_000, i -> "cache:pos:" + i, false);
    seed(5_000, i -> "order:" + i, false);
    ActionExecutor executor =
        executor(
            """
        cache-cleanup: { type: redis-cleanup, patterns: ["cache:*", "cache:1*"],
                         protect: ["cache:pos:*", "order:*"] }
        """);
    RunRecord plan =
        executor
            .submit("cache-cleanup", Trigger.manual("test"), new RunOptions(true, false))
            .result()
            .get();
    assertThat(plan.outcome()).isEqualTo(Outcome.SUCCESS);
    assertThat(plan.details())
        .containsEntry("would_delete", 30_000L)
        .containsEntry("keys_matched", 35_000L)
        .containsEntry("keys_protected", 5_000L)
        .doesNotContainKey("keys_deleted");
    assertThat((List<?>) plan.details().get("would_delete_sample")).hasSize(20);
    assertThat(redis.dbsize()).as("a dry run deletes nothing").isEqualTo(40_000L);

    RunRecord run =
        executor.submit("cache-cleanup", Trigger.manual("test"), RunOptions.NORMAL).result().get();
    assertThat(run.details())
        .containsEntry("keys_deleted", 30_000L)
        .containsEntry("keys_matched", 35_000L);
    assertThat(keys("*"))
        .hasSize(10_000)
        .allMatch(k -> k.startsWith("cache:pos:") || k.startsWith("order:"));
  }

  @Test
  void ttlFilters() throws Exception {
    seed(1_000, i -> "cache:none:" + i, false);
    seedWithTtl(1_000, i -> "cache:short:" + i, Duration.ofMinutes(10));
    seedWithTtl(1_000, i -> "cache:long:" + i, Duration.ofHours(3));
    ActionExecutor executor =
        executor(
            """
        without-ttl: { type: redis-cleanup, patterns: ["cache:*"], only_without_ttl: true }
        long-ttl:    { type: redis-cleanup, patterns: ["cache:*"], ttl_above: 1h }
        """);
    RunRecord without =
        executor.submit("without-ttl", Trigger.manual("t"), RunOptions.NORMAL).result().get();
    assertThat(without.details())
        .containsEntry("keys_deleted", 1_000L)
        .containsEntry("keys_kept_ttl", 2_000L);
    assertThat(keys("cache:none:*")).isEmpty();
    seed(1_000, i -> "cache:none:" + i, false);
    RunRecord above =
        executor.submit("long-ttl", Trigger.manual("t"), RunOptions.NORMAL).result().get();
    assertThat(above.details())
        .containsEntry("keys_deleted", 2_000L)
        .containsEntry("keys_kept_ttl", 1_000L);
    assertThat(keys("*")).hasSize(1_000).allMatch(k -> k.startsWith("cache:short:"));
  }

  @Test
  void maxKeysBoundsTheRun() throws Exception {
    seed(10_000, i -> "cache:" + i, true);
    ActionExecutor executor =
        executor(
            """
        cache-cleanup: { type: redis-cleanup, patterns: ["cache:*"], max_keys: 2500, batch: 1000 }
        """);
    RunRecord run =
        executor.submit("cache-cleanup", Trigger.manual("t"), RunOptions.NORMAL).result().get();
    assertThat(run.details())
        .containsEntry("keys_deleted", 2_500L)
        .containsEntry("max_keys_reached", true);
    assertThat(redis.dbsize()).isEqualTo(7_500L);
  }

  @Test
  void secondAgentSharingTheRedisIsSkippedAsLockedWhileTheFirstCleans() throws Exception {
    seed(100_000, i -> "cache:" + i, false);
    String actions =
        """
        cache-cleanup: { type: redis-cleanup, patterns: ["cache:*"], batch: 10 }
        """;
    ActionExecutor first = executor(actions);
    ActionExecutor second = executor(actions);
    var slow = first.submit("cache-cleanup", Trigger.manual("agent 1"), RunOptions.NORMAL);
    await().until(() -> redis.exists("caretaker:lock:cache-cleanup") == 1);
    RunRecord skipped =
        second.submit("cache-cleanup", Trigger.manual("agent 2"), RunOptions.NORMAL).result().get();
    assertThat(skipped.outcome()).isEqualTo(Outcome.SKIPPED);
    assertThat(skipped.reason()).isEqualTo("locked");
    assertThat(slow.result().get().outcome()).isEqualTo(Outcome.SUCCESS);
    assertThat(slow.result().get().details()).containsEntry("keys_deleted", 100_000L);
    assertThat(
            second
                .submit("cache-cleanup", Trigger.manual("agent 2"), RunOptions.NORMAL)
                .result()
                .get()
                .outcome())
        .as("free again once the first is done")
        .isEqualTo(Outcome.SUCCESS);
  }

  @Test
  void redisKilledMidRunFailsWithTheCountSoFarAndTheNextRunWorks() throws Exception {
    seed(100_000, i -> "cache:" + i, false);
    ActionExecutor executor =
        executor(
            """
        cache-cleanup: { type: redis-cleanup, patterns: ["cache:*"], batch: 10 }
        """);
    var run = executor.submit("cache-cleanup", Trigger.manual("t"), RunOptions.NORMAL);
    await().until(() -> redis.dbsize() < 95_000);
    server.stop();
    RunRecord failed = run.result().get();
    assertThat(failed.outcome()).isEqualTo(Outcome.FAILURE);
    assertThat(failed.reason()).startsWith("Redis failed during the cleanup");
    assertThat((Long) failed.details().get("keys_deleted")).isBetween(5_000L, 99_999L);

    server.start();
    await().until(() -> ping());
    seed(1_000, i -> "cache:" + i, false);
    RunRecord next =
        executor
            .submit("cache-cleanup", Trigger.manual("t"), new RunOptions(false, true))
            .result()
            .get();
    assertThat(next.outcome()).as(next.reason()).isEqualTo(Outcome.SUCCESS);
    assertThat(next.details()).containsEntry("keys_deleted", 1_000L);
  }

  @Test
  void lfuPolicyFailsTheRunBeforeDeletingAnything() throws Exception {
    seed(1_000, i -> "cache:" + i, true);
    redis.configSet("maxmemory-policy", "allkeys-lfu");
    ActionExecutor executor =
        executor(
            """
        cache-cleanup: { type: redis-cleanup, patterns: ["cache:*"], min_idle: 1h }
        """);
    RunRecord run =
        executor.submit("cache-cleanup", Trigger.manual("t"), RunOptions.NORMAL).result().get();
    assertThat(run.outcome()).isEqualTo(Outcome.FAILURE);
    assertThat(run.reason()).contains("allkeys-lfu").contains("min_idle");
    assertThat(redis.dbsize()).isEqualTo(1_000L);
  }

  @Test
  void globsTheSweepSkipsAsDisjointShareNoKeyInRedis() throws Exception {
    assertThat(new RedisGlob("position:*").disjointFrom(new RedisGlob("cache:*"))).isTrue();
    assertThat(new RedisGlob("cache:pos:*").disjointFrom(new RedisGlob("cache:*"))).isFalse();
    assertThat(new RedisGlob("ca\\*x").disjointFrom(new RedisGlob("cache:*"))).isFalse();
    Random random = new Random(11);
    String alphabet = "ab:*?[]\\";
    for (int i = 0; i < 2_000; i++) {
      redis.set(randomText(random, "ab:*?[]\\", 1 + random.nextInt(5)), "1");
    }
    int disjoint = 0;
    int sharing = 0;
    for (int i = 0; i < 1_000; i++) {
      String a = randomText(random, alphabet, 1 + random.nextInt(4));
      String b = randomText(random, alphabet, 1 + random.nextInt(4));
      Set<String> both = new HashSet<>(keys(a));
      both.retainAll(keys(b));
      if (new RedisGlob(a).disjointFrom(new RedisGlob(b))) {
        disjoint++;
        assertThat(both).as("%s and %s", a, b).isEmpty();
      } else if (!both.isEmpty()) {
        sharing++;
      }
    }
    assertThat(disjoint).isGreaterThan(100);
    assertThat(sharing).isGreaterThan(100);
  }

  @Test
  void protectMeansWhatMatchMeansToRedis() throws Exception {
    Random random = new Random(7);
    String alphabet = "ab:*?[]^-\\x\u00e9";
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      keys.add(randomText(random, alphabet, 1 + random.nextInt(8)));
    }
    keys.forEach(k -> redis.set(k, "1"));
    for (int i = 0; i < 400; i++) {
      String pattern = randomText(random, alphabet, 1 + random.nextInt(6));
      RedisGlob glob = new RedisGlob(pattern);
      Set<String> byJava = new HashSet<>();
      for (String k : keys) {
        if (glob.matches(k.getBytes(StandardCharsets.UTF_8))) {
          byJava.add(k);
        }
      }
      assertThat(byJava).as("pattern %s", pattern).isEqualTo(keys(pattern));
    }
  }

  private static String randomText(Random random, String alphabet, int length) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < length; i++) {
      b.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return b.toString();
  }

  /** Reads a set of hot keys every few milliseconds and adds young cache keys, as an app does. */
  private Thread appTouching(Set<String> hot, AtomicBoolean running) throws Exception {
    StatefulRedisConnection<String, String> app = client.connect();
    closing.add(app);
    // Touched once before the run starts, then continuously until it ends.
    hot.forEach(app.sync()::get);
    Thread t =
        new Thread(
            () -> {
              int n = 0;
              while (running.get()) {
                app.sync().mget(hot.toArray(new String[0]));
                app.sync().set("cache:new:" + n++, "v");
                LockSupport.parkNanos(2_000_000); // an app's pace, not a busy loop
              }
            });
    t.start();
    return t;
  }

  private ActionExecutor executor(String actions) throws Exception {
    Config config =
        ConfigLoader.parse(
            "t.yml",
            "redis: { uri: \"" + server.uri() + "\" }\n" + "actions:\n" + actions.indent(2),
            Map.of());
    RedisConnection connection = new RedisConnection(config.redis().orElseThrow());
    Map<String, ActionConfig> configs = config.actions();
    Map<String, Action> built =
        ActionTypes.create(
            configs,
            new ActionTypes.Parts(
                () -> null,
                null,
                List.of(),
                "test-" + closing.size(),
                Clock.systemUTC(),
                new PrometheusRegistry(),
                Optional.of(connection),
                Optional.empty(),
                dir,
                new Redactor(List.of()),
                (period, format, now) -> new byte[0]));
    RunHistory history = new RunHistory(dir.resolve("runs-" + closing.size() + ".jsonl"), 100);
    ActionExecutor executor =
        new ActionExecutor(
            configs,
            built,
            history,
            new Maintenance(new MaintenanceConfig(List.of())),
            new PrometheusRegistry(),
            Clock.systemUTC(),
            2);
    closing.add(executor);
    closing.add(connection);
    return executor;
  }

  private boolean ping() {
    try {
      return "PONG".equals(redis.ping());
    } catch (RuntimeException e) {
      return false;
    }
  }

  private void seed(int n, IntFunction<String> key, boolean old) throws Exception {
    byte[] dump = null;
    if (old) {
      redis.set("seed:template", "some cached value");
      dump = connection.sync().dump("seed:template");
      redis.del("seed:template");
    }
    RedisAsyncCommands<String, String> async = connection.async();
    connection.setAutoFlushCommands(false);
    try {
      List<RedisFuture<String>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        futures.add(
            old
                ? async.restore(key.apply(i), dump, RestoreArgs.Builder.ttl(0).idleTime(OLD))
                : async.set(key.apply(i), "some cached value"));
        if (futures.size() == 5_000 || i == n - 1) {
          connection.flushCommands();
          for (RedisFuture<String> f : futures) {
            f.get();
          }
          futures.clear();
        }
      }
    } finally {
      connection.setAutoFlushCommands(true);
    }
  }

  private void seedWithTtl(int n, IntFunction<String> key, Duration ttl) {
    for (int i = 0; i < n; i++) {
      redis.set(key.apply(i), "v", SetArgs.Builder.px(ttl.toMillis()));
    }
  }

  private Set<String> keys(String pattern) {
    Set<String> found = new HashSet<>();
    ScanCursor cursor = ScanCursor.INITIAL;
    do {
      KeyScanCursor<String> page =
          redis.scan(cursor, ScanArgs.Builder.matches(pattern).limit(1000));
      found.addAll(page.getKeys());
      cursor = page;
    } while (!cursor.isFinished());
    return found;
  }
}
