package io.caretaker.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a file so that it is either whole or absent (or, when replacing, whole and old): the bytes
 * go to {@code name.tmp}, are fsynced, renamed over the target and the directory is fsynced. On any
 * failure (a full disk included) the temp file is removed, so nothing half written is left behind.
 *
 * <pre>{@code
 * AtomicFile.write(dir.resolve("state.json"), bytes, AtomicFile.Mode.REPLACE);
 * }</pre>
 */
public final class AtomicFile {
  /** The suffix of the temp file beside the target. */
  public static final String TMP_SUFFIX = ".tmp";

  /** Whether an existing target is replaced or the write fails with FileAlreadyExists. */
  public enum Mode {
    REPLACE,
    CREATE_NEW
  }

  private AtomicFile() {}

  public static void write(Path target, byte[] content, Mode mode) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + TMP_SUFFIX);
    try {
      try (FileChannel out =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
          out.write(buf);
        }
        out.force(true);
      }
      if (mode == Mode.REPLACE) {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } else {
        Files.createLink(target, tmp); // fails rather than replace
        Files.delete(tmp);
      }
      fsyncDirectory(target.toAbsolutePath().getParent());
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
  }

  public static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }
}
