package io.caretaker.redis;

import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.CommandArgs;
import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * Command arguments that are all bulk strings (keys, a script's digest and arguments), written
 * straight into the outgoing buffer with one capacity check each. Lettuce's own arguments build a
 * string for every length and write it a byte at a time, which for delete batches of hundreds of
 * keys was a tenth of its I/O thread's time, on a host where that thread competes with Redis for a
 * core. The bytes on the wire are exactly Lettuce's (BulkArgsTest compares them).
 */
public final class BulkArgs extends CommandArgs<byte[], byte[]> {
  private static final short CRLF = ('\r' << 8) | '\n';

  private final List<byte[]> args;

  public BulkArgs(List<byte[]> args) {
    super(ByteArrayCodec.INSTANCE);
    this.args = args;
  }

  @Override
  public int count() {
    return args.size();
  }

  @Override
  public void encode(ByteBuf buf) {
    byte[] digits = new byte[10]; // an int has at most 10
    for (byte[] arg : args) {
      int at = digits.length;
      int n = arg.length;
      do {
        digits[--at] = (byte) ('0' + n % 10);
        n /= 10;
      } while (n > 0);
      buf.ensureWritable(1 + digits.length - at + 2 + arg.length + 2);
      buf.writeByte('$');
      buf.writeBytes(digits, at, digits.length - at);
      buf.writeShort(CRLF);
      buf.writeBytes(arg);
      buf.writeShort(CRLF);
    }
  }

  @Override
  public String toCommandString() {
    return args.size() + " bulk arguments";
  }

  @Override
  public String toString() {
    return "BulkArgs [" + toCommandString() + "]";
  }
}
