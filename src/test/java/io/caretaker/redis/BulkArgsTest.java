package io.caretaker.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** BulkArgs puts on the wire exactly what Lettuce's own arguments do. */
class BulkArgsTest {
  @Test
  void keysOfEveryLengthBoundaryAndAnyByteEncodeAsLettuceEncodesThem() {
    Random random = new Random(5);
    List<byte[]> keys = new ArrayList<>();
    for (int length : new int[] {0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 9999, 10_000, 65_536}) {
      byte[] key = new byte[length];
      random.nextBytes(key); // \r, \n, $ and non-ASCII bytes included
      keys.add(key);
    }
    keys.add("cache:\r\n$3\r\nx".getBytes(StandardCharsets.UTF_8));
    CommandArgs<byte[], byte[]> lettuce =
        new CommandArgs<>(ByteArrayCodec.INSTANCE).addKeys(keys.toArray(new byte[0][]));

    assertThat(wire(CommandType.UNLINK, new BulkArgs(keys)))
        .isEqualTo(wire(CommandType.UNLINK, lettuce));
  }

  @Test
  void aScriptCallEncodesAsLettucesEvalsha() {
    List<byte[]> keys = List.of(bytes("cache:1"), bytes("cache:22"), bytes(""));
    List<byte[]> argv = List.of(bytes("3600"), bytes("any"), bytes("0"), bytes("0"));
    String sha = "e0e1f9fabfc9d4800c877a703b823ac0578ff831";
    // As Lettuce's own evalsha builds them.
    CommandArgs<byte[], byte[]> lettuce =
        new CommandArgs<>(ByteArrayCodec.INSTANCE)
            .add(sha)
            .add(keys.size())
            .addKeys(keys.toArray(new byte[0][]))
            .addValues(argv.toArray(new byte[0][]));
    List<byte[]> ours = new ArrayList<>(List.of(bytes(sha), bytes("3")));
    ours.addAll(keys);
    ours.addAll(argv);

    assertThat(wire(CommandType.EVALSHA, new BulkArgs(ours)))
        .isEqualTo(wire(CommandType.EVALSHA, lettuce));
  }

  private static String wire(CommandType type, CommandArgs<byte[], byte[]> args) {
    ByteBuf buf = Unpooled.buffer(16); // small, so capacity has to grow as arguments are written
    new Command<>(type, new IntegerOutput<>(ByteArrayCodec.INSTANCE), args).encode(buf);
    return ByteBufUtil.hexDump(buf);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
