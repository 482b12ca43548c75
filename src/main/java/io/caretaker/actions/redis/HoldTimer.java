package io.caretaker.actions.redis;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Times commands on Redis's own clock, which is what other clients wait by. Each group of commands
 * goes out in one write between two TIME commands, so Redis reads and runs the three back to back
 * and the difference of the two TIMEs is how long the group held it. Delays on this side (the
 * agent's thread waiting for a core, reading a large reply) do not count, as they would if the
 * agent timed its own round trips. (A group larger than Redis's 16 KiB read may be read in two
 * parts with other clients served in between; that can only make the figure larger.)
 *
 * <p>Redis runs every complete command it has read from a client before serving another one. If it
 * read two of our groups at once, another client waited for both: a group that started within
 * {@link #BACK_TO_BACK_MICROS} of the previous one's end is counted as one hold with it.
 *
 * <p>The connection must be this timer's alone: it turns automatic flushing off.
 */
final class HoldTimer {
  /**
   * Measured on a 2-core VM: gaps between our groups fall at 0 to 4 µs (run from one read) or at 13
   * µs and more (Redis went back to its event loop in between); serving another client takes a
   * read, a parse and a reply.
   */
  static final long BACK_TO_BACK_MICROS = 5;

  private final StatefulRedisConnection<byte[], byte[]> connection;
  private final RedisAsyncCommands<byte[], byte[]> async;
  // Used only on the connection's thread, which completes replies in the order sent.
  private final Holds holds = new Holds();

  HoldTimer(StatefulRedisConnection<byte[], byte[]> connection) {
    this.connection = connection;
    this.async = connection.async();
    connection.setAutoFlushCommands(false);
  }

  RedisAsyncCommands<byte[], byte[]> commands() {
    return async;
  }

  /**
   * Sends the commands {@code group} issues between two TIMEs, in one write. The returned future
   * gives how long Redis was held, in nanoseconds, once the group has been answered.
   */
  <T> Timed<T> time(Supplier<T> group) {
    RedisFuture<List<byte[]>> before = async.time();
    T sent = group.get();
    RedisFuture<List<byte[]>> after = async.time();
    // Before the flush, so the holds are worked out on the connection's thread, in order.
    CompletableFuture<Long> held =
        before
            .toCompletableFuture()
            .thenCombine(after, (start, end) -> holds.next(micros(start), micros(end)));
    connection.flushCommands();
    return new Timed<>(sent, held);
  }

  /** Turns the TIMEs around each group, in the order sent, into holds. */
  static final class Holds {
    private long heldSinceMicros;
    private long lastEndMicros = Long.MIN_VALUE / 2; // the first group always starts a hold

    /** How long Redis was held when this group ended, in nanoseconds. */
    long next(long startMicros, long endMicros) {
      if (startMicros - lastEndMicros > BACK_TO_BACK_MICROS) {
        heldSinceMicros = startMicros;
      }
      lastEndMicros = endMicros;
      return Math.max(0, endMicros - heldSinceMicros) * 1000;
    }
  }

  /** TIME's answer: unix seconds and microseconds within the second. */
  private static long micros(List<byte[]> time) {
    return Long.parseLong(text(time.get(0))) * 1_000_000 + Long.parseLong(text(time.get(1)));
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.US_ASCII);
  }

  /** What a group's commands returned, and how long they held Redis. */
  record Timed<T>(T sent, CompletableFuture<Long> heldNanos) {}
}
