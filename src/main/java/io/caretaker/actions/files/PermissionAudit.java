package io.caretaker.actions.files;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Loose permissions, the other half of the weekly audit: files the config calls private (keys, .env
 * files) with any group or other permission or an owner not listed, and world-writable files and
 * directories under the audited roots. With {@code fix}, modes are tightened (group and other bits
 * off for private files, other-write off for world-writable ones), never loosened, and symlinks are
 * neither followed nor changed.
 */
final class PermissionAudit {
  private static final Set<PosixFilePermission> GROUP_OTHER =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  /** The kinds of finding this audit makes, each a caretaker_security_findings series. */
  static final List<String> KINDS = List.of("loose_permissions", "wrong_owner", "world_writable");

  private PermissionAudit() {}

  /** One finding: what, where, and the mode found; {@code fixed} when fix changed it. */
  record Finding(String kind, Path path, String mode, boolean fixed) {
    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("kind", kind);
      m.put("file", path.toString());
      m.put("mode", mode);
      m.put(fixed ? "fixed" : "would_fix", true);
      return m;
    }
  }

  /** Private files with group or other bits, or an owner not in {@code owners}. */
  static List<Finding> privateFiles(
      List<String> globs, List<String> owners, boolean fix, boolean dryRun) throws IOException {
    List<Finding> out = new ArrayList<>();
    for (String glob : globs) {
      PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
      for (Path file : walk(base(glob), p -> matcher.matches(p))) {
        PosixFileAttributes a =
            Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isRegularFile()) {
          continue;
        }
        Set<PosixFilePermission> loose = EnumSet.noneOf(PosixFilePermission.class);
        loose.addAll(a.permissions());
        loose.retainAll(GROUP_OTHER);
        String mode = PosixFilePermissions.toString(a.permissions());
        if (!loose.isEmpty()) {
          boolean change = fix && !dryRun;
          if (change) {
            Set<PosixFilePermission> tight = EnumSet.copyOf(a.permissions());
            tight.removeAll(GROUP_OTHER);
            Files.setPosixFilePermissions(file, tight);
          }
          out.add(new Finding("loose_permissions", file, mode, change));
        }
        if (!owners.isEmpty() && !owners.contains(a.owner().getName())) {
          out.add(new Finding("wrong_owner", file, mode + " " + a.owner().getName(), false));
        }
      }
    }
    return out;
  }

  /** World-writable files and directories under {@code root} (fenced by the caller). */
  static List<Finding> worldWritable(Path root, boolean fix, boolean dryRun) throws IOException {
    List<Finding> out = new ArrayList<>();
    for (Path p : walkAll(root)) {
      PosixFileAttributes a =
          Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (a.isSymbolicLink() || !a.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
        continue;
      }
      boolean change = fix && !dryRun;
      if (change) {
        Set<PosixFilePermission> tight = EnumSet.copyOf(a.permissions());
        tight.remove(PosixFilePermission.OTHERS_WRITE);
        Files.setPosixFilePermissions(p, tight);
      }
      out.add(
          new Finding("world_writable", p, PosixFilePermissions.toString(a.permissions()), change));
    }
    return out;
  }

  /** The directory a glob's matches are under: its path up to the first glob character. */
  private static Path base(String glob) {
    Path p = Path.of("/");
    for (Path part : Path.of(glob)) {
      if (part.toString().matches(".*[*?\\[{].*")) {
        break;
      }
      p = p.resolve(part);
    }
    return p;
  }

  /** Regular files under {@code base} that {@code wanted} takes (base itself if a file). */
  private static List<Path> walk(Path base, Predicate<Path> wanted) throws IOException {
    if (!Files.isDirectory(base, LinkOption.NOFOLLOW_LINKS)) {
      return Files.isRegularFile(base, LinkOption.NOFOLLOW_LINKS) && wanted.test(base)
          ? List.of(base)
          : List.of();
    }
    return visit(base, false, wanted);
  }

  /** Every file and directory under {@code root}, the root too. */
  private static List<Path> walkAll(Path root) throws IOException {
    return visit(root, true, p -> true);
  }

  private static List<Path> visit(Path root, boolean directories, Predicate<Path> wanted)
      throws IOException {
    List<Path> out = new ArrayList<>();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            if (directories) {
              out.add(dir);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (wanted.test(file)) {
              out.add(file);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            return FileVisitResult.CONTINUE;
          }
        });
    return out;
  }
}
