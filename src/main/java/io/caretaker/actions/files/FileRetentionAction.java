package io.caretaker.actions.files;

import io.caretaker.actions.Action;
import io.caretaker.actions.ActionContext;
import io.caretaker.actions.ActionFailure;
import io.caretaker.actions.Figure;
import io.caretaker.actions.Progress;
import io.caretaker.config.ActionSpec;
import io.caretaker.config.Units;
import io.caretaker.store.Background;
import io.caretaker.store.FileErrors;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

// One file on purpose: walk, compress, delete and cap share the fence checks that keep them safe.
/**
 * logrotate's job, done safely: per root, compress files older than {@code compress_after} ({@link
 * SafeGzip}), delete files older than {@code delete_after}, then delete oldest first (compressed
 * before uncompressed) while the root's matching files exceed {@code max_total_bytes}, never the
 * newest file of a log series. Files modified within {@code active_grace} are never touched.
 *
 * <p>Runs on one thread at a lowered priority ({@link Background}). Fenced: roots are resolved to
 * real paths, symlinks are neither followed nor acted on, and every file is re-checked to be the
 * same file inside the root just before it is changed. Patterns match inside the root (the config
 * refuses {@code ..} and absolute patterns). A file that fails (permission denied, vanished, disk
 * full) is counted and the run goes on.
 */
public final class FileRetentionAction implements Action {
  private static final int MAX_LISTED = 1000;

  private final ActionSpec.FileRetention spec;
  private final Clock clock;
  private final Path dataDir;
  private final List<PathMatcher> include;
  private final List<PathMatcher> exclude;

  public FileRetentionAction(ActionSpec.FileRetention spec, Clock clock, Path dataDir) {
    this.spec = spec;
    this.clock = clock;
    this.dataDir = dataDir;
    this.include = spec.include().stream().map(FileRetentionAction::matcher).toList();
    this.exclude = spec.exclude().stream().map(FileRetentionAction::matcher).toList();
  }

  /** A matching regular file found by the walk. */
  private record Found(
      Path path, Path relative, long size, Instant modified, Object key, boolean compressed) {}

  /** What one run did or, in a dry run, would do. */
  private static final class Tally {
    final Progress progress;

    Tally(Progress progress) {
      this.progress = progress;
    }

    long filesCompressed;
    long filesDeleted;
    long bytesBefore;
    long bytesAfter;
    long skippedActive;
    final List<Map<String, Object>> plan = new ArrayList<>();
    final List<String> errors = new ArrayList<>();

    void planned(Path file, String what, String why) {
      if (plan.size() < MAX_LISTED) {
        plan.add(Map.of("file", file.toString(), "action", what, "reason", why));
      }
    }

    void error(Path file, String what, Exception e) {
      errors.add(file + ": " + what + ": " + FileErrors.describe(e));
    }
  }

  @Override
  public Set<Figure> figures() {
    return Set.of(Figure.FILES_COMPRESSED, Figure.FILES_DELETED, Figure.BYTES_FREED);
  }

  @Override
  public Map<String, Object> run(ActionContext ctx) throws Exception {
    return Background.run("caretaker-" + ctx.action(), () -> runLowered(ctx));
  }

  private Map<String, Object> runLowered(ActionContext ctx) throws Exception {
    Tally tally = new Tally(ctx.progress());
    for (Path configured : spec.roots()) {
      try {
        runRoot(resolveRoot(configured), ctx.dryRun(), tally);
      } catch (IOException e) {
        tally.errors.add(configured + ": " + FileErrors.describe(e));
      }
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put(Figure.FILES_COMPRESSED.key(), tally.filesCompressed);
    if (tally.filesCompressed > 0) {
      details.put("compressor", LibDeflate.engine());
    }
    details.put(Figure.FILES_DELETED.key(), tally.filesDeleted);
    details.put("bytes_before", tally.bytesBefore);
    details.put("bytes_after", tally.bytesAfter);
    details.put(Figure.BYTES_FREED.key(), Math.max(0, tally.bytesBefore - tally.bytesAfter));
    details.put("skipped_active", tally.skippedActive);
    details.put("errors", tally.errors.size());
    if (!tally.errors.isEmpty()) {
      details.put("error_samples", tally.errors.subList(0, Math.min(20, tally.errors.size())));
    }
    if (ctx.dryRun()) {
      details.put("plan", tally.plan);
    }
    if (!tally.errors.isEmpty()) {
      // The run went on past each failure; its outcome still says something needs a look.
      throw new ActionFailure(
          tally.errors.size() + " problem(s); first: " + tally.errors.get(0), details);
    }
    return details;
  }

  /** Removes temp files a stopped run left in the roots (called at start-up). */
  public void removeLeftovers() {
    Tally tally = new Tally(new Progress());
    for (Path configured : spec.roots()) {
      try {
        walk(resolveRoot(configured), tally, false);
      } catch (IOException e) {
        // A missing root is reported by the first run.
      }
    }
  }

  private Path resolveRoot(Path configured) throws IOException {
    return FencedRoot.resolve(configured, spec.allowSystemRoot(), dataDir);
  }

  private void runRoot(Path root, boolean dryRun, Tally tally) throws IOException {
    Instant now = clock.instant();
    List<Found> files = walk(root, tally, dryRun);
    long before = files.stream().mapToLong(Found::size).sum();
    tally.bytesBefore += before;
    List<Found> kept = new ArrayList<>();
    tally.progress.add("files_total", files.size());
    for (Found f : files) {
      tally.progress.add("files_done", 1);
      Duration age = Duration.between(f.modified(), now);
      if (age.compareTo(spec.activeGrace()) < 0) {
        tally.skippedActive++;
        kept.add(f);
      } else if (spec.deleteAfter().isPresent() && age.compareTo(spec.deleteAfter().get()) > 0) {
        delete(root, f, "older than " + Units.format(spec.deleteAfter().get()), dryRun, tally)
            .ifPresent(kept::add);
      } else if (!f.compressed()
          && spec.compressAfter().isPresent()
          && age.compareTo(spec.compressAfter().get()) > 0) {
        kept.add(compress(root, f, dryRun, tally));
      } else {
        kept.add(f);
      }
    }
    enforceCap(root, kept, now, dryRun, tally);
    tally.bytesAfter += kept.stream().mapToLong(Found::size).sum();
  }

  /** Deletes oldest first (compressed before uncompressed) while over the cap. */
  private void enforceCap(Path root, List<Found> kept, Instant now, boolean dryRun, Tally tally) {
    if (spec.maxTotalBytes().isEmpty()) {
      return;
    }
    long cap = spec.maxTotalBytes().get();
    long total = kept.stream().mapToLong(Found::size).sum();
    Map<String, Found> newestOfSeries = new HashMap<>();
    for (Found f : kept) {
      newestOfSeries.merge(
          series(f.relative()), f, (a, b) -> a.modified().isAfter(b.modified()) ? a : b);
    }
    List<Found> candidates =
        kept.stream()
            .filter(f -> newestOfSeries.get(series(f.relative())) != f)
            .filter(f -> Duration.between(f.modified(), now).compareTo(spec.activeGrace()) >= 0)
            .sorted(
                Comparator.comparing((Found f) -> !f.compressed()).thenComparing(Found::modified))
            .toList();
    for (Found f : candidates) {
      if (total <= cap) {
        break;
      }
      if (delete(root, f, "total over max_total_bytes " + cap, dryRun, tally).isEmpty()) {
        kept.remove(f);
        total -= f.size();
      }
    }
  }

  /** Deletes {@code f}; returns it when it is kept (dry run keeps nothing, so returns empty). */
  private Optional<Found> delete(Path root, Found f, String why, boolean dryRun, Tally tally) {
    tally.planned(f.path(), "delete", why);
    if (dryRun) {
      tally.filesDeleted++;
      return Optional.empty();
    }
    try {
      checkSameFileInside(root, f);
      Files.delete(f.path());
      tally.filesDeleted++;
      return Optional.empty();
    } catch (NoSuchFileException gone) {
      return Optional.empty();
    } catch (IOException e) {
      tally.error(f.path(), "delete", e);
      return Optional.of(f);
    }
  }

  private Found compress(Path root, Found f, boolean dryRun, Tally tally) {
    tally.planned(
        f.path(), "compress", "older than " + Units.format(spec.compressAfter().orElseThrow()));
    if (dryRun) {
      tally.filesCompressed++;
      return f;
    }
    try {
      checkSameFileInside(root, f);
      SafeGzip.Result r = SafeGzip.compress(f.path(), spec.compressionLevel());
      tally.filesCompressed++;
      Path gz = f.path().resolveSibling(f.path().getFileName() + ".gz");
      return new Found(
          gz,
          f.relative().resolveSibling(gz.getFileName()),
          r.compressedBytes(),
          f.modified(),
          null,
          true);
    } catch (NoSuchFileException gone) {
      return new Found(f.path(), f.relative(), 0, f.modified(), null, false);
    } catch (IOException e) {
      tally.error(f.path(), "compress", e);
      return f;
    }
  }

  private static void checkSameFileInside(Path root, Found f) throws IOException {
    FencedRoot.checkSameFileInside(root, f.path(), f.key());
  }

  /** Matching regular files under the root, never through a symlink; removes stale temp files. */
  private List<Found> walk(Path root, Tally tally, boolean dryRun) throws IOException {
    List<Found> found = new ArrayList<>();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (!attrs.isRegularFile()) {
              return FileVisitResult.CONTINUE; // symlinks, devices, sockets: never touched
            }
            Path relative = root.relativize(file);
            String name = file.getFileName().toString();
            if (name.endsWith(SafeGzip.TMP_SUFFIX)) {
              removeLeftover(file, tally, dryRun);
            } else if (matches(relative)) {
              found.add(
                  new Found(
                      file,
                      relative,
                      attrs.size(),
                      attrs.lastModifiedTime().toInstant(),
                      attrs.fileKey(),
                      name.endsWith(".gz")));
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            tally.error(file, "read", e);
            return FileVisitResult.CONTINUE;
          }
        });
    return found;
  }

  /**
   * A {@code name.gz.tmp} left by a run that stopped mid-compression: its original is intact
   * (originals go only after a verified .gz exists), so the temp file goes. Without its original it
   * is left alone: nothing is deleted that is not proven redundant.
   */
  static void removeLeftover(Path tmp, Tally tally, boolean dryRun) {
    String name = tmp.getFileName().toString();
    Path original =
        tmp.resolveSibling(name.substring(0, name.length() - SafeGzip.TMP_SUFFIX.length()));
    if (dryRun || !Files.isRegularFile(original, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Files.deleteIfExists(tmp);
    } catch (IOException e) {
      tally.error(tmp, "remove leftover", e);
    }
  }

  private boolean matches(Path relative) {
    return include.stream().anyMatch(m -> test(m, relative))
        && exclude.stream().noneMatch(m -> test(m, relative));
  }

  /** Patterns without a '/' match the file name; others the path under the root. */
  private static boolean test(PathMatcher m, Path relative) {
    return m.matches(relative) || m.matches(relative.getFileName());
  }

  private static PathMatcher matcher(String glob) {
    return FileSystems.getDefault().getPathMatcher("glob:" + glob);
  }

  /**
   * The log series a file belongs to: its name without .gz, rotation numbers and dates, in its
   * directory ("app.log", "app.log.1", "app.log.2.gz" and "app-2026-11-20.log" → "app.log" and
   * "app-#.log").
   */
  static String series(Path relative) {
    String name =
        relative
            .getFileName()
            .toString()
            .replaceFirst("\\.gz$", "")
            .replaceAll("\\d{4}-?\\d{2}-?\\d{2}([T_-]?\\d{2,6})?", "#")
            .replaceFirst("(\\.\\d+)+$", "");
    Path dir = relative.getParent();
    return dir == null ? name : dir + "/" + name;
  }
}
