package io.caretaker.trading;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Decodes UTF-8 bytes to a String, reusing one String per distinct short value. Order events repeat
 * a handful of field names and values (status, side, venue, symbol) millions of times; decoding
 * each anew is much of what reading a stream costs. Not thread-safe: one per connection (Lettuce
 * decodes a connection's replies on one thread). Bounded; values that do not fit are decoded as
 * usual.
 */
final class Interner {
  private static final int MAX_LENGTH = 32;
  private static final int SLOTS = 8192; // power of two; at most half filled

  private final byte[][] bytes = new byte[SLOTS][];
  private final String[] strings = new String[SLOTS];
  private final byte[] scratch = new byte[MAX_LENGTH];
  private int size;

  /** The string of the buffer's remaining bytes; consumes them. */
  String decode(ByteBuffer buffer) {
    int length = buffer.remaining();
    if (length > MAX_LENGTH) {
      return StandardCharsets.UTF_8.decode(buffer).toString();
    }
    // One bulk copy: reading a direct buffer byte by byte costs a call chain per byte.
    buffer.get(scratch, 0, length);
    int hash = 1;
    for (int i = 0; i < length; i++) {
      hash = 31 * hash + scratch[i];
    }
    int mask = SLOTS - 1;
    for (int slot = (hash ^ (hash >>> 16)) & mask; ; slot = (slot + 1) & mask) {
      byte[] known = bytes[slot];
      if (known == null) {
        byte[] copy = Arrays.copyOf(scratch, length);
        String s = new String(copy, StandardCharsets.UTF_8);
        if (size < SLOTS / 2) {
          bytes[slot] = copy;
          strings[slot] = s;
          size++;
        }
        return s;
      }
      if (Arrays.equals(known, 0, known.length, scratch, 0, length)) {
        return strings[slot];
      }
    }
  }
}
