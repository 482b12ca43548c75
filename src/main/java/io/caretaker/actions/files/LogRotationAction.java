package io.caretaker.actions.files;

import io.caretaker.actions.Action;
import io.caretaker.actions.ActionContext;
import io.caretaker.actions.ActionFailure;
import io.caretaker.actions.Figure;
import io.caretaker.actions.Redactor;
import io.caretaker.actions.Trigger;
import io.caretaker.config.ActionSpec;
import io.caretaker.config.ActionSpec.RotationMethod;
import io.caretaker.config.LogFileSet;
import io.caretaker.store.Background;
import io.caretaker.store.FileErrors;
import io.caretaker.store.Stamped;
import io.prometheus.metrics.core.metrics.Counter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

// One file on purpose: the rotation of one live log, from fence check to prune, read in order.
/**
 * logrotate's core job, done so nothing is lost: each live log of the set ({@link LogFileSet}) that
 * is due is moved to {@code NAME.<UTC stamp>} (a counter after the stamp within one second, so
 * names never collide), by rename (then the writer is told to reopen, and checked to have done so)
 * or by {@link CopyTruncate}. Then the older rotated files are gzipped ({@link SafeGzip}; the
 * newest {@code compress_delay} stay plain for writers that still hold them) and all but the newest
 * {@code keep} deleted. What was rotated is read from the names on disk: there is no state file to
 * corrupt. The executor never runs one action twice at once.
 *
 * <p>Due: on a size trigger (the collection saw a file over {@code max_size}), the files over
 * {@code max_size}; on any other trigger (a schedule, a rule, an operator), every file of at least
 * {@code min_size}.
 */
public final class LogRotationAction implements Action {
  private static final int LEVEL = 6;
  private static final int MAX_LISTED = 1000;

  private final String name;
  private final ActionSpec.LogRotation spec;
  private final LogFileSet files;
  private final Clock clock;
  private final Path dataDir;
  private final Redactor redactor;
  private final Counter rotations;
  private final Counter bytesAtRisk;

  public LogRotationAction(
      String name,
      ActionSpec.LogRotation spec,
      Clock clock,
      Path dataDir,
      Redactor redactor,
      Counter rotations,
      Counter bytesAtRisk) {
    this.name = name;
    this.spec = spec;
    this.files = new LogFileSet(spec);
    this.clock = clock;
    this.dataDir = dataDir;
    this.redactor = redactor;
    this.rotations = rotations;
    this.bytesAtRisk = bytesAtRisk;
    rotations.labelValues(name, spec.method().label());
    bytesAtRisk.labelValues(name);
  }

  /** What one run did or, in a dry run, would do. */
  private static final class Tally {
    final List<Map<String, Object>> rotated = new ArrayList<>();
    final List<String> wouldDelete = new ArrayList<>();
    final List<String> errors = new ArrayList<>();
    final List<String> writersLeft = new ArrayList<>();
    long notDue;
    long compressed;
    long deleted;
    long atRisk;
  }

  @Override
  public Set<Figure> figures() {
    return Set.of(Figure.FILES_COMPRESSED, Figure.FILES_DELETED);
  }

  @Override
  public Map<String, Object> run(ActionContext ctx) throws Exception {
    return Background.run("caretaker-" + ctx.action(), () -> runLowered(ctx));
  }

  private Map<String, Object> runLowered(ActionContext ctx) throws Exception {
    Tally tally = new Tally();
    for (Path configured : spec.roots()) {
      try {
        Path root = FencedRoot.resolve(configured, spec.allowSystemRoot(), dataDir);
        finishInterrupted(root, tally);
        List<LogFileSet.Live> lives = files.list(root);
        ctx.progress().add("files_total", lives.size());
        for (LogFileSet.Live live : lives) {
          rotateIfDue(root, live, ctx, tally);
          ctx.progress().add("files_done", 1);
        }
      } catch (IOException e) {
        tally.errors.add(configured + ": " + FileErrors.describe(e));
      }
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("method", spec.method().label());
    details.put(ctx.dryRun() ? "would_rotate" : "rotated", tally.rotated);
    details.put("not_due", tally.notDue);
    details.put(Figure.FILES_COMPRESSED.key(), tally.compressed);
    details.put(Figure.FILES_DELETED.key(), tally.deleted);
    if (ctx.dryRun()) {
      details.put("would_delete", tally.wouldDelete);
    }
    if (spec.method() == RotationMethod.COPYTRUNCATE) {
      details.put("bytes_at_risk", tally.atRisk);
    }
    if (!tally.writersLeft.isEmpty()) {
      details.put("writers_still_on_rotated_file", tally.writersLeft);
      tally.errors.add(
          "a writer did not reopen: " + tally.writersLeft.get(0) + " (it still writes there)");
    }
    if (!tally.errors.isEmpty()) {
      details.put("errors", tally.errors.subList(0, Math.min(20, tally.errors.size())));
      throw new ActionFailure(
          tally.errors.size() + " problem(s); first: " + tally.errors.get(0), details);
    }
    return details;
  }

  // Long on purpose: due or not, then the guards (fence, lock) around one rotation, in order.
  private void rotateIfDue(Path root, LogFileSet.Live live, ActionContext ctx, Tally tally)
      throws InterruptedException {
    boolean bySize = ctx.trigger().type() == Trigger.Type.SIZE;
    boolean due =
        bySize
            ? spec.maxSize().map(max -> live.size() >= max).orElse(false)
            : live.size() >= spec.minSize();
    if (!due) {
      tally.notDue++;
      return;
    }
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("file", live.path().toString());
    entry.put(
        "reason",
        bySize
            ? "size " + live.size() + " >= max_size " + spec.maxSize().orElseThrow()
            : ctx.trigger().type().label() + " run, size " + live.size());
    if (tally.rotated.size() < MAX_LISTED) {
      tally.rotated.add(entry);
    }
    try {
      if (ctx.dryRun()) {
        planPrune(live.path(), tally);
        return;
      }
      FencedRoot.checkSameFileInside(root, live.path(), live.key());
      // An flock on the live file: a second agent, or a second action of this one, that reaches
      // the same file skips it instead of rotating (or collapsing) it twice.
      Optional<LibC.Lock> lock = LibC.tryLock(live.path());
      if (lock.isEmpty()) {
        entry.put("skipped", "another rotation holds it");
        return;
      }
      try (LibC.Lock held = lock.get()) {
        rotate(live.path(), ctx, entry, tally);
      }
      compressAndPrune(live.path(), tally);
    } catch (NoSuchFileException gone) {
      entry.put("skipped", "gone before it could be rotated");
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      tally.errors.add(live.path() + ": " + FileErrors.describe(e));
    }
  }

  // Long on purpose: the two methods side by side, each with what its record says.
  private void rotate(Path live, ActionContext ctx, Map<String, Object> entry, Tally tally)
      throws Exception {
    Path dir = live.getParent();
    Instant now = clock.instant();
    Path rotated =
        Stamped.unique(
            dir,
            live.getFileName() + ".",
            now,
            "",
            ".gz",
            CopyTruncate.PENDING,
            SafeGzip.TMP_SUFFIX);
    if (spec.method() == RotationMethod.COPYTRUNCATE) {
      CopyTruncate.Result r = CopyTruncate.rotate(live, rotated);
      if (r.bytesRotated() == 0) {
        entry.put("skipped", "under one filesystem block: left for the next rotation");
        return;
      }
      entry.put("rotated_to", rotated.toString());
      entry.put("bytes", r.bytesRotated());
      entry.put("how", r.collapsed() ? "collapse-range" : "copy-then-truncate");
      if (!r.collapsed()) {
        entry.put("bytes_at_risk", r.bytesAtRisk());
        tally.atRisk += r.bytesAtRisk();
        bytesAtRisk.labelValues(name).inc(r.bytesAtRisk());
      }
    } else {
      Files.move(live, rotated, StandardCopyOption.ATOMIC_MOVE);
      entry.put("rotated_to", rotated.toString());
      entry.put("bytes", Files.size(rotated));
      if (spec.create().isPresent()) {
        create(live, spec.create().get());
      }
      if (spec.reopen().isPresent()) {
        entry.put("reopen", WriterReopen.tell(spec.reopen().get(), ctx, redactor));
      }
      List<Long> left = WriterReopen.awaitLetGo(rotated);
      if (!left.isEmpty()) {
        tally.writersLeft.add(rotated + " by pid " + left);
      }
    }
    rotations.labelValues(name, spec.method().label()).inc();
  }

  /** The new live file, with the configured mode, owner and group. */
  private static void create(Path live, ActionSpec.Create c) throws IOException {
    FileAttribute<?>[] attrs =
        c.mode().isPresent()
            ? new FileAttribute<?>[] {
              PosixFilePermissions.asFileAttribute(permissions(c.mode().get()))
            }
            : new FileAttribute<?>[0];
    Files.createFile(live, attrs);
    if (c.mode().isPresent()) {
      Files.setPosixFilePermissions(live, permissions(c.mode().get())); // the umask narrowed it
    }
    PosixFileAttributeView view =
        Files.getFileAttributeView(live, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    UserPrincipalLookupService users = live.getFileSystem().getUserPrincipalLookupService();
    if (c.owner().isPresent()) {
      view.setOwner(users.lookupPrincipalByName(c.owner().get()));
    }
    if (c.group().isPresent()) {
      view.setGroup(users.lookupPrincipalByGroupName(c.group().get()));
    }
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = PosixFilePermission.values(); // owner rwx, group rwx, others rwx
    for (int bit = 0; bit < 9; bit++) {
      if ((mode & (1 << (8 - bit))) != 0) {
        out.add(order[bit]);
      }
    }
    return out;
  }

  /** The rotated files of {@code live}, oldest first (stamps sort as text in time order). */
  private static List<Path> rotatedOf(Path live) throws IOException {
    Pattern series = series(live);
    try (Stream<Path> list = Files.list(live.getParent())) {
      return list.filter(f -> series.matcher(f.getFileName().toString()).matches())
          .sorted()
          .toList();
    }
  }

  private static Pattern series(Path live) {
    return Pattern.compile(
        Pattern.quote(live.getFileName().toString()) + "\\." + Stamped.STAMP_REGEX + "(?:\\.gz)?");
  }

  private void compressAndPrune(Path live, Tally tally) throws IOException {
    if (spec.compress()) {
      List<Path> plain =
          rotatedOf(live).stream()
              .filter(f -> !f.getFileName().toString().endsWith(".gz"))
              .toList();
      for (Path f : plain.subList(0, Math.max(0, plain.size() - spec.compressDelay()))) {
        Files.deleteIfExists(f.resolveSibling(f.getFileName() + SafeGzip.TMP_SUFFIX));
        SafeGzip.compress(f, LEVEL);
        tally.compressed++;
      }
    }
    tally.deleted += Stamped.keepNewest(live.getParent(), series(live), spec.keep(), List::of);
  }

  /** A dry run's deletions: the oldest rotated files beyond keep, once one more exists. */
  private void planPrune(Path live, Tally tally) throws IOException {
    List<Path> existing = rotatedOf(live);
    int over = existing.size() + 1 - spec.keep();
    for (Path f : existing.subList(0, Math.max(0, Math.min(over, existing.size())))) {
      tally.wouldDelete.add(f.toString());
    }
  }

  /** A copytruncate a crash interrupted ({@code NAME.<stamp>.pending}) is finished first. */
  private void finishInterrupted(Path root, Tally tally) throws IOException {
    List<Path> pending;
    try (Stream<Path> walk = Files.walk(root)) {
      pending =
          walk.filter(f -> f.getFileName().toString().endsWith(CopyTruncate.PENDING))
              .filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS))
              .toList();
    }
    Pattern name =
        Pattern.compile("(.+)\\." + Stamped.STAMP_REGEX + Pattern.quote(CopyTruncate.PENDING));
    for (Path p : pending) {
      Matcher m = name.matcher(p.getFileName().toString());
      if (!m.matches()) {
        continue;
      }
      Path live = p.resolveSibling(m.group(1));
      try {
        CopyTruncate.recover(live, p)
            .ifPresent(
                r ->
                    tally.rotated.add(
                        Map.of(
                            "file",
                            live.toString(),
                            "rotated_to",
                            r.toString(),
                            "reason",
                            "finished an interrupted rotation")));
      } catch (IOException e) {
        tally.errors.add(p + ": " + FileErrors.describe(e));
      }
    }
  }
}
