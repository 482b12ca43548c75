package io.caretaker.actions.files;

import io.caretaker.actions.Action;
import io.caretaker.actions.ActionContext;
import io.caretaker.actions.ActionFailure;
import io.caretaker.actions.Figure;
import io.caretaker.config.ActionSpec;
import io.caretaker.redis.RedisConnection;
import io.caretaker.redis.RedisSnapshot;
import io.caretaker.store.AtomicFile;
import io.caretaker.store.Background;
import io.caretaker.store.Stamped;
import io.prometheus.metrics.core.metrics.Gauge;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * tar.gz of {@code sources} into {@code dir/<action>-<UTC time>.tar.gz}: written under a temp name,
 * fsynced, verified by reading the whole archive back against what was written, then renamed; the
 * newest {@code keep} archives stay. A source that cannot be read, or changes while being archived,
 * fails the run and leaves no archive behind; temp archives a stopped run left are removed at
 * start-up and before each run.
 */
public final class BackupAction implements Action {
  private static final Logger log = LoggerFactory.getLogger(BackupAction.class);
  private static final int LEVEL = 6;

  private final String name;
  private final ActionSpec.Backup spec;
  private final Clock clock;
  private final Gauge lastSuccess;
  private final Gauge size;
  private final Optional<RedisConnection> redis;

  public BackupAction(
      String name,
      ActionSpec.Backup spec,
      Clock clock,
      Gauge lastSuccess,
      Gauge size,
      Optional<RedisConnection> redis) {
    this.redis = redis;
    this.name = name;
    this.spec = spec;
    this.clock = clock;
    this.lastSuccess = lastSuccess;
    this.size = size;
  }

  @Override
  public Set<Figure> figures() {
    return Set.of(Figure.FILES_DELETED);
  }

  @Override
  // Long on purpose: one archive's life: write aside, verify, publish, prune.
  public Map<String, Object> run(ActionContext ctx) throws Exception {
    Instant now = clock.instant();
    Path archive = Path.of(Stamped.unique(spec.dir(), name + "-", now, ".tar.gz") + ".tar.gz");
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("archive", archive.toString());
    details.put("sources", spec.sources().stream().map(Path::toString).toList());
    if (spec.redisSnapshot() && redis.isEmpty()) {
      throw new ActionFailure("redis_snapshot needs the redis section", details);
    }
    for (Path source : spec.sources()) {
      if (!Files.exists(source)) {
        throw new ActionFailure("source " + source + " does not exist", details);
      }
    }
    if (ctx.dryRun()) {
      details.put("would_write", archive.toString());
      return details;
    }
    List<Path> sources = new ArrayList<>(spec.sources());
    if (spec.redisSnapshot()) {
      try {
        RedisSnapshot.take(redis.orElseThrow(), details).ifPresent(sources::add);
      } catch (IOException e) {
        throw new ActionFailure(e.getMessage(), details);
      }
    }
    Files.createDirectories(spec.dir());
    removeLeftovers();
    Path tmp = archive.resolveSibling(archive.getFileName() + ".tmp");
    Map<String, TarGz.Entry> written;
    try {
      written =
          Background.run(
              "caretaker-" + name, () -> TarGz.write(sources, tmp, LEVEL, ctx.progress()));
      Map<String, TarGz.Entry> readBack = TarGz.read(tmp);
      if (!readBack.equals(written)) {
        throw new IOException(
            "verification failed: the archive read back differs from what"
                + " was written ("
                + readBack.size()
                + " entries read, "
                + written.size()
                + " written)");
      }
      Files.move(tmp, archive, StandardCopyOption.ATOMIC_MOVE);
      AtomicFile.fsyncDirectory(spec.dir());
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw new ActionFailure("backup failed, no archive kept: " + e.getMessage(), details);
    }
    long bytes = Files.size(archive);
    details.put("entries", written.size());
    details.put("source_bytes", written.values().stream().mapToLong(TarGz.Entry::size).sum());
    details.put("archive_bytes", bytes);
    details.put(Figure.FILES_DELETED.key(), prune());
    lastSuccess.labelValues(name).set(now.toEpochMilli() / 1000.0);
    size.labelValues(name).set(bytes);
    return details;
  }

  /**
   * Removes this action's temp archives ({@code <name>-<stamp>.tar.gz.tmp}) that a stopped run
   * left; the executor never runs the action twice at once, so none is being written now.
   */
  public void removeLeftovers() {
    Pattern leftover =
        Pattern.compile(Pattern.quote(name) + "-" + Stamped.STAMP_REGEX + "\\.tar\\.gz\\.tmp");
    try (Stream<Path> files = Files.list(spec.dir())) {
      for (Path f :
          files.filter(f -> leftover.matcher(f.getFileName().toString()).matches()).toList()) {
        Files.deleteIfExists(f);
      }
    } catch (NoSuchFileException noDirYet) {
      // nothing left over
    } catch (IOException e) {
      log.warn("Cannot remove leftover temp archives in {}: {}", spec.dir(), e.toString());
    }
  }

  /**
   * Sets the gauges from the newest archive already in {@code dir} (archives are only ever renamed
   * into place once verified), or the last success to 0 when there is none: a restart neither hides
   * an old backup nor makes a missing one look absent to the alert rules.
   */
  public void publishNewestArchive() {
    Pattern archive =
        Pattern.compile(Pattern.quote(name) + "-" + Stamped.STAMP_REGEX + "\\.tar\\.gz");
    try (Stream<Path> files = Files.list(spec.dir())) {
      Optional<Path> newest =
          files
              .filter(f -> archive.matcher(f.getFileName().toString()).matches())
              .max(Comparator.comparing(f -> f.getFileName().toString()));
      if (newest.isPresent()) {
        lastSuccess
            .labelValues(name)
            .set(Files.getLastModifiedTime(newest.get()).toMillis() / 1000.0);
        size.labelValues(name).set(Files.size(newest.get()));
        return;
      }
    } catch (NoSuchFileException noDirYet) {
      // no archive yet
    } catch (IOException e) {
      log.warn("Cannot read the archives in {}: {}", spec.dir(), e.toString());
    }
    lastSuccess.labelValues(name).set(0);
  }

  /** Keeps the newest {@code keep} archives of this action; returns how many went. */
  private int prune() throws IOException {
    return Stamped.keepNewest(
        spec.dir(),
        Pattern.compile(Pattern.quote(name) + "-" + Stamped.STAMP_REGEX + "\\.tar\\.gz"),
        spec.keep(),
        List::of);
  }

  /** Re-checks an archive offline: `caretaker backup verify FILE`. */
  public static String verify(Path archive) throws IOException {
    Map<String, TarGz.Entry> entries = TarGz.read(archive);
    long files = entries.keySet().stream().filter(n -> !n.endsWith("/")).count();
    long bytes = entries.values().stream().mapToLong(TarGz.Entry::size).sum();
    return archive
        + ": OK, "
        + entries.size()
        + " entries ("
        + files
        + " files and links), "
        + bytes
        + " bytes; gzip CRC and every entry's size verified";
  }
}
