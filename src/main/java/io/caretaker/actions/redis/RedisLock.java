package io.caretaker.actions.redis;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * A lock in Redis so that agents sharing one Redis never run the same cleanup at once: SET NX PX
 * with a random token, renewed while the run goes on, released by compare-and-delete so a run never
 * frees a lock another agent took after its own expired. If the agent dies, the lock expires after
 * {@link #TTL}.
 */
final class RedisLock {
  static final Duration TTL = Duration.ofSeconds(30);
  private static final String RENEW =
      "if redis.call('GET', KEYS[1]) == ARGV[1] then "
          + "return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";
  private static final String RELEASE =
      "if redis.call('GET', KEYS[1]) == ARGV[1] then "
          + "return redis.call('DEL', KEYS[1]) else return 0 end";

  private final RedisCommands<byte[], byte[]> redis;
  private final byte[] key;
  private final byte[] token;
  private long renewedAt = System.nanoTime();

  private RedisLock(RedisCommands<byte[], byte[]> redis, byte[] key, byte[] token) {
    this.redis = redis;
    this.key = key;
    this.token = token;
  }

  /** The lock key for an action; the cleanup never deletes it, whatever its patterns. */
  static String keyFor(String action) {
    return "caretaker:lock:" + action;
  }

  /** Takes the lock, or empty when someone else holds it. */
  static Optional<RedisLock> acquire(
      RedisCommands<byte[], byte[]> redis, String action, String owner) {
    byte[] key = bytes(keyFor(action));
    byte[] token = bytes(owner + " " + UUID.randomUUID());
    String ok = redis.set(key, token, SetArgs.Builder.nx().px(TTL.toMillis()));
    return "OK".equals(ok) ? Optional.of(new RedisLock(redis, key, token)) : Optional.empty();
  }

  /** Renews the lock once a third of its lifetime has passed; false when it was lost. */
  boolean keep() {
    if (System.nanoTime() - renewedAt < TTL.toNanos() / 3) {
      return true;
    }
    Long renewed =
        redis.eval(
            RENEW,
            ScriptOutputType.INTEGER,
            new byte[][] {key},
            token,
            bytes(Long.toString(TTL.toMillis())));
    renewedAt = System.nanoTime();
    return renewed != null && renewed == 1;
  }

  void release() {
    redis.eval(RELEASE, ScriptOutputType.INTEGER, new byte[][] {key}, token);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
