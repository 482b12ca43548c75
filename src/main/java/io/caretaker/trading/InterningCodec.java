package io.caretaker.trading;

import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.nio.ByteBuffer;

/**
 * UTF-8 strings for the stream consumer's connection that reuses one String per distinct short
 * value. Order events repeat a handful of field names and values (status, side, venue, symbol)
 * millions of times; decoding each anew is most of what reading a stream costs. Lettuce decodes
 * a connection's replies on one thread, so the table needs no locking; it is bounded, and values
 * that do not fit are decoded as usual.
 */
final class InterningCodec implements RedisCodec<String, String> {
  private static final int MAX_LENGTH = 32;
  private static final int SLOTS = 8192; // power of two; at most half filled

  private final byte[][] bytes = new byte[SLOTS][];
  private final String[] strings = new String[SLOTS];
  private int size;

  @Override
  public String decodeKey(ByteBuffer buffer) {
    return decode(buffer);
  }

  @Override
  public String decodeValue(ByteBuffer buffer) {
    return decode(buffer);
  }

  @Override
  public ByteBuffer encodeKey(String key) {
    return StringCodec.UTF8.encodeKey(key);
  }

  @Override
  public ByteBuffer encodeValue(String value) {
    return StringCodec.UTF8.encodeValue(value);
  }

  private String decode(ByteBuffer buffer) {
    int length = buffer.remaining();
    if (length > MAX_LENGTH) {
      return StringCodec.UTF8.decodeValue(buffer);
    }
    int start = buffer.position();
    int hash = 1;
    for (int i = 0; i < length; i++) {
      hash = 31 * hash + buffer.get(start + i);
    }
    int mask = SLOTS - 1;
    for (int slot = (hash ^ (hash >>> 16)) & mask; ; slot = (slot + 1) & mask) {
      byte[] known = bytes[slot];
      if (known == null) {
        String s = StringCodec.UTF8.decodeValue(buffer);
        if (size < SLOTS / 2) {
          byte[] copy = new byte[length];
          buffer.get(start, copy);
          bytes[slot] = copy;
          strings[slot] = s;
          size++;
        }
        return s;
      }
      if (known.length == length && same(known, buffer, start)) {
        buffer.position(start + length);
        return strings[slot];
      }
    }
  }

  private static boolean same(byte[] known, ByteBuffer buffer, int start) {
    for (int i = 0; i < known.length; i++) {
      if (known[i] != buffer.get(start + i)) {
        return false;
      }
    }
    return true;
  }
}
