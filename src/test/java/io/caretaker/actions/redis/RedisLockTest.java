package io.caretaker.actions.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.api.sync.RedisCommands;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The lock's token logic against a map standing in for Redis (SET NX and the two scripts' rule:
 * only the holder's token renews or releases). RedisCleanupIT runs it against a real Redis.
 */
class RedisLockTest {
  private final Map<ByteBuffer, byte[]> data = new HashMap<>();

  @SuppressWarnings("unchecked")
  private RedisCommands<byte[], byte[]> redis() {
    return (RedisCommands<byte[], byte[]>)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {RedisCommands.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "set" ->
                      data.putIfAbsent(ByteBuffer.wrap((byte[]) args[0]), (byte[]) args[1]) == null
                          ? "OK"
                          : null;
                  case "eval" -> holds((byte[][]) args[2], ((byte[][]) args[3])[0], args[0]);
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }

  /** RENEW and RELEASE: act only when the key holds the caller's token. */
  private Long holds(byte[][] keys, byte[] token, Object script) {
    ByteBuffer key = ByteBuffer.wrap(keys[0]);
    byte[] current = data.get(key);
    if (current == null || !ByteBuffer.wrap(current).equals(ByteBuffer.wrap(token))) {
      return 0L;
    }
    if (script.toString().contains("DEL")) {
      data.remove(key);
    }
    return 1L;
  }

  @Test
  void aSecondAgentCannotTakeAHeldLockAndCanOnceReleased() {
    RedisCommands<byte[], byte[]> redis = redis();
    RedisLock first = RedisLock.acquire(redis, "cache-cleanup", "agent-1").orElseThrow();
    assertThat(RedisLock.acquire(redis, "cache-cleanup", "agent-2")).isEmpty();
    assertThat(RedisLock.acquire(redis, "other-action", "agent-2")).isPresent();
    first.release();
    assertThat(RedisLock.acquire(redis, "cache-cleanup", "agent-2")).isPresent();
  }

  @Test
  void releasingALockSomeoneElseNowHoldsLeavesItAlone() {
    RedisCommands<byte[], byte[]> redis = redis();
    RedisLock first = RedisLock.acquire(redis, "cache-cleanup", "agent-1").orElseThrow();
    data.clear(); // the lock expired...
    RedisLock.acquire(redis, "cache-cleanup", "agent-2").orElseThrow(); // ...and was taken
    first.release();
    assertThat(data).as("agent-2's lock stays").hasSize(1);
    assertThat(RedisLock.keyFor("cache-cleanup")).isEqualTo("caretaker:lock:cache-cleanup");
  }
}
