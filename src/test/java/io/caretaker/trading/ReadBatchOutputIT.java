package io.caretaker.trading;

import static org.assertj.core.api.Assertions.assertThat;

import io.caretaker.config.TradingConfig.EventStream;
import io.caretaker.testing.RedisServer;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.Consumer;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The stream consumer's own reply reader against Lettuce's stream messages validated by {@link
 * OrderEvent#from}: the same ids, events and rejections, entry for entry, under RESP2 and RESP3,
 * for odd entries too (deleted while pending, numbers in every form, missing, extra and repeated
 * fields, non-ASCII values).
 */
class ReadBatchOutputIT {
  private static final EventStream STREAM = new EventStream("trading:events", "g");

  @TempDir Path dir;

  private static final String[] LATENCIES = {
    "0.8",
    "1",
    "1.",
    ".5",
    "0001.250",
    "12.345678901234",
    "123456789012345",
    "1234567890123456",
    "12345678901234567890",
    "1e3",
    "1E-2",
    "-1",
    "+2",
    " 3",
    "abc",
    ".",
    "",
    "NaN",
    "Infinity",
    "0x10",
    "1.2.3",
    "٣"
  };

  private static List<Map<String, String>> entries() {
    List<Map<String, String>> entries = new ArrayList<>();
    for (String latency : LATENCIES) {
      entries.add(event("filled", "buy", "XNAS", latency));
    }
    entries.add(event("partially_filled", "sell", "Börse Frankfurt", "2.5"));
    entries.add(event("filled", "sideways", "XNAS", "1"));
    entries.add(event("exploded", "buy", "XNAS", "1"));
    entries.add(event("filled", "buy", " ", "1"));
    entries.add(Map.of("type", "trade", "status", "filled", "side", "buy", "venue", "XNAS"));
    entries.add(Map.of("status", "filled", "side", "buy", "venue", "XNAS"));
    entries.add(
        Map.of(
            "type",
            "order",
            "status",
            "filled",
            "side",
            "buy",
            "venue",
            "XNAS",
            "symbol",
            "AAPL",
            "account",
            "a-very-long-account-name-that-is-not-interned-at-all"));
    entries.add(
        Map.of("type", "order", "status", "filled", "side", "buy", "venue", "V".repeat(40)));
    return entries;
  }

  private static Map<String, String> event(
      String status, String side, String venue, String latency) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("type", "order");
    m.put("status", status);
    m.put("side", side);
    m.put("venue", venue);
    m.put("latency_ms", latency);
    return m;
  }

  /** What the old path made of Lettuce's messages. */
  private static ReadBatch expected(List<StreamMessage<String, String>> messages) {
    ReadBatch b = new ReadBatch();
    for (StreamMessage<String, String> m : messages) {
      b.ids.add(m.getId().getBytes(StandardCharsets.US_ASCII));
      try {
        b.valid.add(OrderEvent.from(m.getBody() == null ? Map.of() : m.getBody()));
      } catch (OrderEvent.Invalid e) {
        b.rejected.add(e.reason);
      }
    }
    return b;
  }

  private static void assertSame(ReadBatch actual, ReadBatch expected) {
    assertThat(actual.ids).hasSameSizeAs(expected.ids);
    for (int i = 0; i < expected.ids.size(); i++) {
      assertThat(actual.ids.get(i)).isEqualTo(expected.ids.get(i));
    }
    assertThat(actual.valid).containsExactlyElementsOf(expected.valid);
    assertThat(actual.rejected).containsExactlyElementsOf(expected.rejected);
  }

  @ParameterizedTest
  @EnumSource(value = ProtocolVersion.class)
  void readsWhatLettuceReadsUnderEitherProtocol(ProtocolVersion protocol) throws Exception {
    try (RedisServer server = new RedisServer(dir.resolve("redis"))) {
      RedisClient client = RedisClient.create(server.uri());
      client.setOptions(ClientOptions.builder().protocolVersion(protocol).build());
      try (StatefulRedisConnection<String, String> c = client.connect()) {
        RedisCommands<String, String> cmds = c.sync();
        cmds.xgroupCreate(
            StreamOffset.from(STREAM.stream(), "0"),
            STREAM.group(),
            XGroupCreateArgs.Builder.mkstream());
        List<String> ids = new ArrayList<>();
        for (Map<String, String> e : entries()) {
          ids.add(cmds.xadd(STREAM.stream(), e));
        }
        Interner interner = new Interner();
        XReadArgs count = XReadArgs.Builder.count(1000);

        ReadBatch fresh =
            StreamConsumer.readGroup(c.async(), interner, STREAM, "a", ">", count)
                .get(5, TimeUnit.SECONDS);
        assertSame(fresh, expected(cmds.xrange(STREAM.stream(), Range.create("-", "+"))));
        assertThat(fresh.valid).isNotEmpty();
        assertThat(fresh.rejected).isNotEmpty();

        cmds.xdel(STREAM.stream(), ids.get(0), ids.get(5)); // deleted while pending
        ReadBatch pending =
            StreamConsumer.readGroup(c.async(), interner, STREAM, "a", "0", count)
                .get(5, TimeUnit.SECONDS);
        List<StreamMessage<String, String>> lettuce =
            cmds.xreadgroup(
                Consumer.from(STREAM.group(), "a"), count, StreamOffset.from(STREAM.stream(), "0"));
        assertSame(pending, expected(lettuce));
        assertThat(pending.size()).isEqualTo(ids.size());

        ReadBatch none =
            StreamConsumer.readGroup(
                    c.async(), interner, STREAM, "a", ">", XReadArgs.Builder.count(10).block(50))
                .get(5, TimeUnit.SECONDS);
        assertThat(none.size()).as("a blocking read that times out").isZero();
      } finally {
        client.shutdown();
      }
    }
  }
}
