package io.caretaker.redis;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * At most N holders at once across every agent sharing one Redis: a sorted set of holders scored by
 * when their permit expires (Redis's own clock, so hosts' clocks do not matter), expired holders
 * dropped at each try, and a counter that gives each permit a fencing token. An agent that dies
 * holding a permit loses it when the lease ends. All in one script, so two agents never both see
 * the last free place.
 */
public final class FleetSemaphore {
  private static final String ACQUIRE =
      "local t = redis.call('TIME') "
          + "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "
          + "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now) "
          + "if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end "
          + "redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3]) "
          + "redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2])) "
          + "return redis.call('INCR', KEYS[2])";

  /** A place held: released by {@link #close}, or by its lease ending if the agent dies. */
  public final class Permit implements AutoCloseable {
    private final String holder;
    private final long token;

    private Permit(String holder, long token) {
      this.holder = holder;
      this.token = token;
    }

    /** Grows with each permit given for the key: a later holder always has a larger one. */
    public long token() {
      return token;
    }

    @Override
    public void close() {
      redis.zrem(setKey, holder);
    }
  }

  private final RedisCommands<String, String> redis;
  private final String setKey;
  private final String counterKey;
  private final int places;
  private final Duration lease;

  public FleetSemaphore(
      RedisCommands<String, String> redis, String key, int places, Duration lease) {
    this.redis = redis;
    this.setKey = "caretaker:fleet:" + key;
    this.counterKey = "caretaker:fleet:" + key + ":token";
    this.places = places;
    this.lease = lease;
  }

  /** Takes a place now, or empty when all are held. */
  public Optional<Permit> tryAcquire(String owner) {
    String holder = owner + " " + UUID.randomUUID();
    Long token =
        redis.eval(
            ACQUIRE,
            ScriptOutputType.INTEGER,
            new String[] {setKey, counterKey},
            Integer.toString(places),
            Long.toString(lease.toMillis()),
            holder);
    return token != null && token > 0 ? Optional.of(new Permit(holder, token)) : Optional.empty();
  }
}
