package io.caretaker.trading;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.RedisStateMachine;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Stream entries with any fields and values, as a producer may write them, decoded the way Redis
 * sends them (an XREADGROUP reply in RESP, through Lettuce's decoder): each entry ends up valid or
 * rejected, and nothing throws.
 */
class StreamEntryFuzzTest {
  @FuzzTest
  void streamEntries(FuzzedDataProvider data) {
    ByteArrayOutputStream resp = new ByteArrayOutputStream();
    int entries = data.consumeInt(0, 20);
    write(resp, "*1\r\n*2\r\n");
    bulk(resp, "orders".getBytes(StandardCharsets.UTF_8));
    write(resp, "*" + entries + "\r\n");
    for (int e = 0; e < entries; e++) {
      write(resp, "*2\r\n");
      bulk(resp, (e + "-0").getBytes(StandardCharsets.UTF_8));
      int fields = data.consumeInt(0, 8);
      write(resp, "*" + 2 * fields + "\r\n");
      for (int f = 0; f < 2 * fields; f++) {
        bulk(resp, data.consumeBoolean() ? known(data) : data.consumeBytes(data.consumeInt(0, 64)));
      }
    }
    ReadBatchOutput output = new ReadBatchOutput(StringCodec.UTF8, new Interner());
    ByteBuf buffer = Unpooled.wrappedBuffer(resp.toByteArray());
    RedisStateMachine decoder = new RedisStateMachine();
    try {
      assertThat(decoder.decode(buffer, output)).isTrue();
    } finally {
      decoder.close();
    }
    ReadBatch batch = output.get();
    assertThat(batch.valid.size() + batch.rejected.size()).isEqualTo(entries);
  }

  /** Field names and values the parser looks at, so the fuzzer reaches the validation. */
  private static byte[] known(FuzzedDataProvider data) {
    return data.pickValue(
            new String[] {
              "type",
              "order",
              "status",
              "filled",
              "side",
              "buy",
              "venue",
              "XNAS",
              "latency_ms",
              "1.25",
              "symbol",
              "1e400",
              "-0",
              "NaN",
              "12345678901234567"
            })
        .getBytes(StandardCharsets.UTF_8);
  }

  private static void bulk(ByteArrayOutputStream out, byte[] value) {
    write(out, "$" + value.length + "\r\n");
    out.writeBytes(value);
    write(out, "\r\n");
  }

  private static void write(ByteArrayOutputStream out, String text) {
    out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
  }
}
