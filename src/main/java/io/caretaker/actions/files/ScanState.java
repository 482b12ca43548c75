package io.caretaker.actions.files;

import io.caretaker.store.StateFile;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How far the security audit has read each file, by inode, kept in the data directory between runs.
 * A record also holds two salted prints of the text it covers, its first and its last {@link
 * #WINDOW} bytes, so that a copy of a file already read (logrotate's copytruncate copy, a
 * compressed .gz of a rotated log) is recognised by its content under its new inode, and not read
 * again. Two windows, not one, because logs often begin with the same banner.
 */
final class ScanState {
  /** Bytes in each print; a record is recognisable in a copy only past two windows. */
  static final int WINDOW = 4096;

  /**
   * What was read of one file: up to {@code offset} (uncompressed), its next line's number, how
   * many secrets were found in it and not yet redacted, and the prints (empty when too short).
   */
  record Seen(long offset, long line, long secrets, String head, String tail) {
    static final Seen NOTHING = new Seen(0, 1, 0, "", "");

    boolean recognisable() {
      return offset >= 2L * WINDOW && !head.isEmpty() && !tail.isEmpty();
    }

    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("offset", offset);
      m.put("line", line);
      m.put("secrets", secrets);
      m.put("head", head);
      m.put("tail", tail);
      return m;
    }

    static Optional<Seen> of(Object value) {
      if (!(value instanceof Map<?, ?> m) || !(m.get("offset") instanceof Number offset)) {
        return Optional.empty(); // another version's shape: the file is read again, once
      }
      return Optional.of(
          new Seen(
              offset.longValue(),
              m.get("line") instanceof Number n ? n.longValue() : 1,
              m.get("secrets") instanceof Number n ? n.longValue() : 0,
              String.valueOf(m.get("head") == null ? "" : m.get("head")),
              String.valueOf(m.get("tail") == null ? "" : m.get("tail"))));
    }
  }

  private final StateFile file;
  private final byte[] salt;
  private final Map<String, Seen> before = new LinkedHashMap<>();
  private final Map<String, Seen> byHead = new LinkedHashMap<>();
  private final Map<String, Seen> now = new LinkedHashMap<>();

  ScanState(StateFile file, byte[] salt) {
    this.file = file;
    this.salt = salt.clone();
  }

  /** Loads what the last run left; the records of this run start empty. */
  ScanState load() {
    before.clear();
    byHead.clear();
    now.clear();
    file.read()
        .forEach(
            (key, value) ->
                Seen.of(value)
                    .ifPresent(
                        seen -> {
                          before.put(key, seen);
                          if (seen.recognisable()) {
                            byHead.merge(
                                seen.head(), seen, (a, b) -> a.offset() >= b.offset() ? a : b);
                          }
                        }));
    return this;
  }

  /** The last run's record of this inode, if any. */
  Optional<Seen> before(String inode) {
    return Optional.ofNullable(before.get(inode));
  }

  /** A file read before (under any inode) whose text begins with this first window's print. */
  Optional<Seen> withHead(String head) {
    return Optional.ofNullable(byHead.get(head));
  }

  void put(String inode, Seen seen) {
    now.put(inode, seen);
  }

  Map<String, Seen> current() {
    return now;
  }

  /** Keeps this run's records only: files gone since are forgotten. */
  void save() {
    Map<String, Object> out = new LinkedHashMap<>();
    now.forEach((k, v) -> out.put(k, v.toMap()));
    file.write(out);
  }

  /** The salted print of {@code b[0, length)}. */
  String print(byte[] b, int length) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(salt);
      sha.update(b, 0, length);
      return HexFormat.of().formatHex(sha.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads the first window of {@code in} and, when a recognisable file begins the same way, the
   * window that ended it: when that matches too, {@code in} is left at the end of what was read
   * before, its last window is in {@code tail}, and its record is returned. Otherwise nothing is
   * returned and {@code in} is spent (the caller reopens it).
   */
  Optional<Seen> recognise(InputStream in, Tail tail) throws IOException {
    byte[] window = new byte[WINDOW];
    int n = in.readNBytes(window, 0, WINDOW);
    if (n < WINDOW) {
      return Optional.empty();
    }
    Optional<Seen> candidate = withHead(print(window, n));
    if (candidate.isEmpty()) {
      return Optional.empty();
    }
    Seen seen = candidate.get();
    in.skipNBytes(seen.offset() - 2L * WINDOW);
    n = in.readNBytes(window, 0, WINDOW);
    if (n < WINDOW || !print(window, n).equals(seen.tail())) {
      return Optional.empty();
    }
    tail.add(window, 0, n);
    return candidate;
  }

  /** The last {@link #WINDOW} bytes of a stream, kept as it is read. */
  static final class Tail {
    private final byte[] ring = new byte[WINDOW];
    private long seen;

    void add(byte[] b, int from, int to) {
      int start = Math.max(from, to - WINDOW); // earlier bytes would be overwritten anyway
      seen += start - from;
      for (int i = start; i < to; i++) {
        ring[(int) (seen++ % WINDOW)] = b[i];
      }
    }

    /** The window in order, or null when fewer than {@link #WINDOW} bytes went by. */
    byte[] window() {
      if (seen < WINDOW) {
        return null;
      }
      int start = (int) (seen % WINDOW);
      byte[] out = new byte[WINDOW];
      System.arraycopy(ring, start, out, 0, WINDOW - start);
      System.arraycopy(ring, 0, out, WINDOW - start, start);
      return out;
    }
  }
}
