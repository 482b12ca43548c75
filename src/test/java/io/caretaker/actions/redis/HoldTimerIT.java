package io.caretaker.actions.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.caretaker.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HoldTimer against a real redis-server: what it reports is what Redis spent. */
class HoldTimerIT {
  // A script that keeps Redis busy for some milliseconds on any machine.
  private static final byte[] BUSY =
      "local x = 0 for i = 1, tonumber(ARGV[1]) do x = x + i end return 1"
          .getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;
  private RedisServer server;
  private RedisClient client;
  private StatefulRedisConnection<byte[], byte[]> timed;
  private StatefulRedisConnection<byte[], byte[]> other; // reads Redis's own figures

  @BeforeEach
  void start() throws Exception {
    server = new RedisServer(dir.resolve("redis"));
    client = RedisClient.create(server.uri());
    timed = client.connect(ByteArrayCodec.INSTANCE);
    other = client.connect(ByteArrayCodec.INSTANCE);
  }

  @AfterEach
  void stop() throws Exception {
    timed.close();
    other.close();
    client.shutdown();
    server.close();
  }

  @Test
  void aGroupHoldsRedisForWhatRedisCountsForItsCommand() throws Exception {
    HoldTimer timer = new HoldTimer(timed);
    other.sync().configResetstat();
    long heldNanos = heldBy(timer, 2_000_000);
    long evalMicros =
        Long.parseLong(
            other
                .sync()
                .info("commandstats")
                .lines()
                .filter(l -> l.startsWith("cmdstat_eval:"))
                .findFirst()
                .orElseThrow()
                .replaceAll(".*,usec=(\\d+),.*", "$1"));
    assertThat(evalMicros).isGreaterThan(1000);
    // At least what Redis counts for the command (plus the two TIMEs; no upper bound: on a busy
    // host Redis may lose the CPU in between).
    assertThat(heldNanos / 1000).isGreaterThanOrEqualTo(evalMicros);

    HoldTimer.Timed<RedisFuture<String>> ping = timer.time(() -> timer.commands().ping());
    assertThat(ping.sent().get()).isEqualTo("PONG");
    assertThat(ping.heldNanos().get()).isLessThan(heldNanos / 4);
  }

  private long heldBy(HoldTimer timer, int loops) throws Exception {
    HoldTimer.Timed<RedisFuture<Long>> busy =
        timer.time(
            () ->
                timer
                    .commands()
                    .eval(
                        BUSY,
                        ScriptOutputType.INTEGER,
                        new byte[0][],
                        bytes(Integer.toString(loops))));
    assertThat(busy.sent().get()).isEqualTo(1L);
    return busy.heldNanos().get();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
