package io.caretaker.config;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The live logs of a log-rotation action: regular files under its roots that match {@code include},
 * not {@code exclude}, and are not themselves rotated ({@code NAME.<stamp>[.gz]}) or temporary.
 * Symlinks are never followed nor listed. Read by the collector (sizes every cycle) and by the
 * action (what to rotate), so both see the same set.
 */
public final class LogFileSet {
  /** What rotation appends to a name: a UTC stamp, maybe a counter, maybe .gz or a temp suffix. */
  public static final Pattern ROTATED =
      Pattern.compile(".*\\.\\d{8}T\\d{6}Z(?:_\\d+)?(?:\\.gz|\\.part|\\.pending|\\.gz\\.tmp)?$");

  /** A live log: its path, its path inside the root, its size and identity when listed. */
  public record Live(Path path, Path relative, long size, Object key) {}

  private final List<PathMatcher> include;
  private final List<PathMatcher> exclude;

  public LogFileSet(ActionSpec.LogRotation spec) {
    this.include = spec.include().stream().map(LogFileSet::matcher).toList();
    this.exclude = spec.exclude().stream().map(LogFileSet::matcher).toList();
  }

  private static PathMatcher matcher(String glob) {
    return FileSystems.getDefault().getPathMatcher("glob:" + glob);
  }

  public boolean isLive(Path relative) {
    return include.stream().anyMatch(m -> m.matches(relative))
        && exclude.stream().noneMatch(m -> m.matches(relative))
        && !ROTATED.matcher(relative.getFileName().toString()).matches();
  }

  /** The live logs under {@code root}; unreadable directories are skipped. */
  public List<Live> list(Path root) throws IOException {
    List<Live> found = new ArrayList<>();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            Path relative = root.relativize(file);
            if (attrs.isRegularFile() && isLive(relative)) {
              found.add(new Live(file, relative, attrs.size(), attrs.fileKey()));
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            return FileVisitResult.CONTINUE;
          }
        });
    return found;
  }
}
