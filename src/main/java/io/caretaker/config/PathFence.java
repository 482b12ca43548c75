package io.caretaker.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where destructive file actions may work, judged on real paths (every symlink resolved), never on
 * the text of a path: a root that links to the data directory or to {@code /etc} is the data
 * directory or {@code /etc}. Used when the config is loaded and again before every run, as links
 * can change in between.
 */
public final class PathFence {
  /** The system's own directories: never a root, never inside a root. */
  private static final List<Path> SYSTEM =
      List.of(
              "/etc", "/usr", "/boot", "/root", "/bin", "/sbin", "/lib", "/lib32", "/lib64",
              "/proc", "/sys", "/dev", "/run")
          .stream()
          .map(Path::of)
          .toList();

  /** Directories that hold others' state: never a root themselves (a subdirectory may be). */
  private static final List<Path> SHARED =
      List.of("/var/lib", "/var", "/home", "/opt", "/srv").stream().map(Path::of).toList();

  private PathFence() {}

  /** The real path of {@code path}: symlinks resolved in the part that exists. */
  public static Path real(Path path) {
    Path absolute = path.toAbsolutePath().normalize();
    if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
      try {
        return absolute.toRealPath();
      } catch (IOException e) {
        return absolute; // a dangling link: nothing there to protect or to delete
      }
    }
    Path parent = absolute.getParent();
    return parent == null ? absolute : real(parent).resolve(absolute.getFileName());
  }

  /** Why {@code real} may not be a root without {@code allow_system_root: true}, if it may not. */
  public static Optional<String> systemDirectory(Path real) {
    if (real.getParent() == null) {
      return Optional.of("is the filesystem root");
    }
    for (Path system : SYSTEM) {
      if (real.startsWith(system)) {
        return Optional.of(real.equals(system) ? "is " + system : "is inside " + system);
      }
      if (system.startsWith(real)) {
        return Optional.of("holds " + system);
      }
    }
    for (Path shared : SHARED) {
      if (shared.startsWith(real)) {
        return Optional.of(real.equals(shared) ? "is " + shared : "holds " + shared);
      }
    }
    return Optional.empty();
  }

  /** Whether one of the two real paths holds the other (or they are the same). */
  public static boolean overlap(Path a, Path b) {
    return a.startsWith(b) || b.startsWith(a);
  }
}
