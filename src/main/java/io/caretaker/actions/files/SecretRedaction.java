package io.caretaker.actions.files;

import io.caretaker.store.AtomicFile;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.List;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Rewrites a rotated log with every secret masked, as safely as compression: the masked copy is
 * written aside ({@code NAME.redact.tmp}, fsynced), read back and checked (as many lines, no secret
 * left), given the original's owner, mode and mtime, and renamed over the original only if the
 * original did not change meanwhile. A crash before the rename leaves the original whole and a
 * leftover the next run deletes; after it, the masked file whole. Live files are never touched: a
 * file is rewritten only when its name is a rotated one and no process has it open for writing.
 */
final class SecretRedaction {
  static final String TMP_SUFFIX = ".redact.tmp";

  /**
   * What takes a secret's place; {@link SecretPatterns} reads it as a placeholder, not a secret.
   */
  static final String MASK = "[REDACTED]";

  /** {@code NAME.1}, {@code NAME-20261202}, {@code NAME.20261202T134500Z}, any of them .gz. */
  private static final Pattern ROTATED_NAME =
      Pattern.compile(
          ".+[.-](?:\\d{1,5}|\\d{8}(?:T\\d{6}Z)?(?:_\\d+)?|\\d{4}-\\d{2}-\\d{2}(?:[T_-][\\d:-]+)?)"
              + "(?:\\.gz)?|.+\\.gz");

  private static final Pattern KEY_END = Pattern.compile("-----END [A-Z ]*PRIVATE KEY-----");

  /** Whether a finding may stay as it is (the allow list). */
  interface Allowed {
    boolean test(Path file, long line, String secret);
  }

  /** The masked file: its uncompressed bytes and lines, and the prints' windows of its text. */
  record Rewritten(long bytes, long lines, byte[] head, byte[] tail, int masked) {}

  private final SecretPatterns patterns;
  private final Allowed allowed;

  SecretRedaction(SecretPatterns patterns, Allowed allowed) {
    this.patterns = patterns;
    this.allowed = allowed;
  }

  /** A rotated file no one writes to: the only kind this class rewrites. */
  static boolean rotated(Path file) {
    return ROTATED_NAME.matcher(file.getFileName().toString()).matches()
        && WriterReopen.writersOf(file).isEmpty();
  }

  // Long on purpose: the crash-safe steps in the order that makes them safe.
  Rewritten rewrite(Path file) throws IOException {
    PosixFileAttributes before =
        Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    boolean gz = file.getFileName().toString().endsWith(".gz");
    Path tmp = file.resolveSibling(file.getFileName() + TMP_SUFFIX);
    Files.deleteIfExists(tmp);
    try {
      Rewritten done = write(file, tmp, gz);
      Rewritten check = check(file, tmp, gz);
      if (check.lines() != done.lines() || check.masked() != 0) {
        throw new IOException(
            "verification failed: the masked copy has "
                + check.lines()
                + " lines and "
                + check.masked()
                + " secrets left, expected "
                + done.lines()
                + " and 0; kept the original");
      }
      PosixFileAttributeView view =
          Files.getFileAttributeView(tmp, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
      view.setPermissions(before.permissions());
      if (!view.getOwner().equals(before.owner())) {
        view.setOwner(before.owner());
      }
      view.setGroup(before.group());
      view.setTimes(before.lastModifiedTime(), null, null);
      PosixFileAttributes now =
          Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (now.size() != before.size()
          || !now.lastModifiedTime().equals(before.lastModifiedTime())
          || !now.fileKey().equals(before.fileKey())) {
        throw new IOException("changed while being redacted (still written to?); kept");
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      AtomicFile.fsyncDirectory(file.getParent());
      return done;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private Rewritten write(Path file, Path tmp, boolean gz) throws IOException {
    Counting counted = new Counting();
    try (Lines in = new Lines(file, gz);
        OutputStream raw =
            Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        OutputStream body = gz ? new GZIPOutputStream(raw, 1 << 16) : raw;
        OutputStream out = new BufferedOutputStream(body, 1 << 16)) {
      boolean inKey = false;
      long number = 0;
      int masked = 0;
      for (String line; (line = in.next()) != null; ) {
        number++;
        String text;
        if (inKey) {
          inKey = !KEY_END.matcher(line).find();
          text = inKey ? MASK : line;
          masked += inKey ? 1 : 0;
        } else {
          List<SecretPatterns.Match> secrets = secretsIn(file, number, line);
          text = masked(line, secrets);
          masked += secrets.size();
          inKey = secrets.stream().anyMatch(m -> m.kind().equals("private_key"));
        }
        byte[] bytes = (in.ended() ? text + "\n" : text).getBytes(StandardCharsets.ISO_8859_1);
        counted.add(bytes);
        out.write(bytes);
      }
      out.flush();
      if (gz) {
        ((GZIPOutputStream) body).finish();
      }
      raw.flush();
      counted.masked = masked;
    }
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    return counted.result();
  }

  /** The copy read back: its lines, and how many secrets are left in it (should be none). */
  private Rewritten check(Path file, Path tmp, boolean gz) throws IOException {
    Counting counted = new Counting();
    try (Lines in = new Lines(tmp, gz)) {
      long number = 0;
      for (String line; (line = in.next()) != null; ) {
        counted.masked += secretsIn(file, ++number, line).size();
        counted.add((in.ended() ? line + "\n" : line).getBytes(StandardCharsets.ISO_8859_1));
      }
    }
    return counted.result();
  }

  private List<SecretPatterns.Match> secretsIn(Path file, long number, String line) {
    return patterns.find(line).stream()
        .filter(m -> !allowed.test(file, number, line.substring(m.start(), m.end())))
        .toList();
  }

  private static String masked(String line, List<SecretPatterns.Match> secrets) {
    if (secrets.isEmpty()) {
      return line;
    }
    StringBuilder out = new StringBuilder(line);
    secrets.stream()
        .sorted((a, b) -> Integer.compare(b.start(), a.start()))
        .forEach(m -> out.replace(m.start(), m.end(), MASK));
    return out.toString();
  }

  /**
   * The file's lines as the scan splits them: at '\n' only (a '\r' stays where it is), bytes as
   * Latin-1 so every byte comes back out as it went in, a line past {@link #LONGEST} in parts.
   */
  private static final class Lines implements AutoCloseable {
    private static final int LONGEST = 1 << 20;
    private final InputStream in;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean ended;

    Lines(Path file, boolean gz) throws IOException {
      InputStream raw = Files.newInputStream(file);
      this.in = new BufferedInputStream(gz ? new GZIPInputStream(raw, 1 << 16) : raw, 1 << 16);
    }

    /** The next line without its '\n', or null at the end. */
    String next() throws IOException {
      line.reset();
      for (int b; (b = in.read()) != -1; ) {
        if (b == '\n') {
          ended = true;
          return line.toString(StandardCharsets.ISO_8859_1);
        }
        line.write(b);
        if (line.size() == LONGEST) {
          ended = false;
          return line.toString(StandardCharsets.ISO_8859_1);
        }
      }
      ended = false;
      return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    /** Whether the line {@link #next} returned ended with a '\n'. */
    boolean ended() {
      return ended;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /** Lines and bytes written, and the first and last window of them for the scan's prints. */
  private static final class Counting {
    private final byte[] head = new byte[ScanState.WINDOW];
    private final ScanState.Tail tail = new ScanState.Tail();
    private long bytes;
    private long lines;
    private int masked;

    void add(byte[] b) {
      if (bytes < head.length) {
        System.arraycopy(b, 0, head, (int) bytes, (int) Math.min(b.length, head.length - bytes));
      }
      tail.add(b, 0, b.length);
      bytes += b.length;
      lines++;
    }

    Rewritten result() {
      return new Rewritten(bytes, lines, bytes >= head.length ? head : null, tail.window(), masked);
    }
  }
}
