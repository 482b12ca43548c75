package io.caretaker.actions.redis;

import java.util.Arrays;

/**
 * The keys a cleanup run has seen and kept, as 64-bit FNV-1a hashes in an open-addressing table:
 * SCAN may return a key twice, and a kept key must be counted once. A hash collision can only make
 * a key look seen, i.e. skipped this run: never a wrong deletion.
 */
final class KeyFingerprints {
  private static final long EMPTY = 0;
  private long[] table = new long[1024];
  private int size;

  /** Adds the key; false if it was there already. */
  boolean add(byte[] key) {
    if (size * 2 >= table.length) {
      grow();
    }
    if (!insert(table, hash(key))) {
      return false;
    }
    size++;
    return true;
  }

  boolean contains(byte[] key) {
    long h = hash(key);
    int mask = table.length - 1;
    for (int i = (int) (h ^ (h >>> 32)) & mask; table[i] != EMPTY; i = (i + 1) & mask) {
      if (table[i] == h) {
        return true;
      }
    }
    return false;
  }

  int size() {
    return size;
  }

  private static boolean insert(long[] into, long h) {
    int mask = into.length - 1;
    int i = (int) (h ^ (h >>> 32)) & mask;
    for (; into[i] != EMPTY; i = (i + 1) & mask) {
      if (into[i] == h) {
        return false;
      }
    }
    into[i] = h;
    return true;
  }

  private void grow() {
    long[] old = table;
    long[] grown = new long[old.length * 2];
    Arrays.stream(old).filter(h -> h != EMPTY).forEach(h -> insert(grown, h));
    table = grown;
  }

  private static long hash(byte[] key) {
    long h = 0xcbf29ce484222325L;
    for (byte b : key) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return h == EMPTY ? 1 : h; // 0 marks an empty slot
  }
}
