package io.caretaker.actions.files;

import io.caretaker.store.AtomicFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Optional;

/**
 * copytruncate without logrotate's loss. The writer keeps its file open, so what it appends while
 * the rotation runs must stay in the live file: the rotation copies a block-aligned prefix of the
 * live file to {@code NAME.<stamp>.pending}, then removes exactly that prefix from the live file
 * with fallocate's collapse-range, then renames the copy into place. No byte is lost or duplicated;
 * the last partial block (less than one block, 4 KiB on ext4) stays live until the next rotation,
 * so a line can start in one file and end in the next.
 *
 * <p>A crash leaves at most a {@code .pending} copy, which {@link #recover} completes: if the live
 * file still starts with the copy's bytes the collapse had not run, and runs now; otherwise it ran.
 * (The one ambiguity, a writer that appended the same block twice in a row, would keep that block
 * in both files: duplicated, never lost.)
 *
 * <p>Where collapse-range is not supported (tmpfs, NFS, Btrfs) it falls back to copy-then-
 * truncate: what is appended between the last copy and the truncate is lost; the run reports those
 * bytes as at risk, measured.
 */
final class CopyTruncate {
  static final String PENDING = ".pending";
  private static final int BUFFER = 1 << 16;

  private CopyTruncate() {}

  /** What one rotation did: bytes moved to the rotated file, and bytes possibly lost. */
  record Result(long bytesRotated, boolean collapsed, long bytesAtRisk) {}

  static Result rotate(Path live, Path rotated) throws IOException {
    long block = Files.getFileStore(live).getBlockSize();
    long size = Files.size(live);
    long prefix = (size - 1) / block * block; // whole blocks, ending before the end of the file
    Path pending = rotated.resolveSibling(rotated.getFileName() + PENDING);
    if (prefix == 0) {
      return new Result(0, true, 0); // under one block: it stays live until it has a whole one
    }
    copy(live, pending, 0, prefix);
    if (LibC.collapse(live, prefix)) {
      publish(pending, rotated);
      return new Result(prefix, true, 0);
    }
    return copyThenTruncate(live, pending, rotated, prefix);
  }

  /** The fallback: copy the rest, catch up once, truncate; counts what came after the catch-up. */
  private static Result copyThenTruncate(Path live, Path pending, Path rotated, long copied)
      throws IOException {
    try (FileChannel out =
            FileChannel.open(pending, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
        FileChannel in =
            FileChannel.open(live, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
      out.position(copied);
      for (int round = 0; round < 2; round++) { // the second round catches up with the writer
        for (long end = in.size(); copied < end; ) {
          copied += in.transferTo(copied, end - copied, out);
        }
      }
      out.force(true);
      long atTruncate = in.size();
      in.truncate(0);
      publish(pending, rotated);
      return new Result(copied, false, Math.max(0, atTruncate - copied));
    }
  }

  /**
   * Completes a rotation a crash interrupted: {@code pending} is the copy of the live file's first
   * bytes. Returns the rotated file, or empty when the live file still holds everything and the
   * copy went (the next rotation starts afresh).
   */
  static Optional<Path> recover(Path live, Path pending) throws IOException {
    String name = pending.getFileName().toString();
    Path rotated = pending.resolveSibling(name.substring(0, name.length() - PENDING.length()));
    long length = Files.size(pending);
    if (Files.isRegularFile(live, LinkOption.NOFOLLOW_LINKS)
        && Files.size(live) > length
        && startsWith(live, pending, length)
        && !LibC.collapse(live, length)) {
      Files.delete(pending); // no collapse here, and the live file is whole: nothing to finish
      return Optional.empty();
    }
    publish(pending, rotated);
    return Optional.of(rotated);
  }

  private static void copy(Path from, Path to, long start, long length) throws IOException {
    try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
        FileChannel out =
            FileChannel.open(
                to,
                StandardOpenOption.WRITE,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
      for (long done = 0; done < length; ) {
        done += in.transferTo(start + done, length - done, out);
      }
      out.force(true);
    }
  }

  private static boolean startsWith(Path file, Path prefix, long length) throws IOException {
    try (var a = Files.newInputStream(file);
        var b = Files.newInputStream(prefix)) {
      byte[] x = new byte[BUFFER];
      byte[] y = new byte[BUFFER];
      for (long left = length; left > 0; ) {
        int n = (int) Math.min(BUFFER, left);
        if (a.readNBytes(x, 0, n) != n || b.readNBytes(y, 0, n) != n) {
          return false;
        }
        if (!Arrays.equals(x, 0, n, y, 0, n)) {
          return false;
        }
        left -= n;
      }
      return true;
    }
  }

  private static void publish(Path pending, Path rotated) throws IOException {
    Files.move(pending, rotated, StandardCopyOption.ATOMIC_MOVE);
    AtomicFile.fsyncDirectory(rotated.getParent());
  }
}
