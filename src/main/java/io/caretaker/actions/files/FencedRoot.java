package io.caretaker.actions.files;

import io.caretaker.config.PathFence;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * The fence around the roots the file actions change (file-retention, log-rotation): a root is
 * resolved to its real path on every run, and every file is re-checked just before it changes.
 */
final class FencedRoot {
  private FencedRoot() {}

  /**
   * The real path of a root, fenced again on every run (a link may have changed since the config
   * was checked): refused when it is, holds or sits in a system directory (unless allowed), or
   * overlaps the agent's data directory, or is not a directory.
   */
  static Path resolve(Path configured, boolean allowSystemRoot, Path dataDir) throws IOException {
    Path real = configured.toRealPath();
    Optional<String> system = PathFence.systemDirectory(real);
    if (system.isPresent() && (!allowSystemRoot || real.getParent() == null)) {
      throw new IOException("resolves to " + real + ", which " + system.get() + "; refused");
    }
    if (PathFence.overlap(real, PathFence.real(dataDir))) {
      throw new IOException("resolves to " + real + ", which overlaps agent.data_dir; refused");
    }
    if (!Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException("not a directory");
    }
    return real;
  }

  /**
   * Just before a change: {@code file} is still the regular file a listing saw ({@code key}, its
   * inode; null to skip that check), and still inside {@code root} (no link leads out).
   */
  static void checkSameFileInside(Path root, Path file, Object key) throws IOException {
    Path real = file.toRealPath();
    BasicFileAttributes now =
        Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!real.startsWith(root)
        || !now.isRegularFile()
        || (key != null && !key.equals(now.fileKey()))) {
      throw new IOException("changed since it was listed (moved or replaced); left alone");
    }
  }
}
