package io.caretaker.collect;

import io.caretaker.config.ActionConfig;
import io.caretaker.config.ActionSpec;
import io.caretaker.config.LogFileSet;
import io.caretaker.metrics.Family;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The size of every live log of every log-rotation action, each cycle: what the size trigger
 * compares with {@code max_size} (so rotation is checked every collection, not daily), and what the
 * dashboards and the growth alert read. At most {@link #MAX_FILES} files per set, the largest: a
 * root with thousands of logs cannot flood the series.
 */
public final class LogFilesCollector implements Collector {
  static final int MAX_FILES = 100;

  private record Set(String name, ActionSpec.LogRotation spec, LogFileSet files) {}

  private final List<Set> sets = new ArrayList<>();

  /** Each root's mount point, found once: the growth alert joins it with the filesystem's room. */
  private final Map<Path, String> mountPoints = new HashMap<>();

  public LogFilesCollector(Map<String, ActionConfig> actions) {
    actions.forEach(
        (name, a) -> {
          if (a.spec() instanceof ActionSpec.LogRotation r) {
            sets.add(new Set(name, r, new LogFileSet(r)));
          }
        });
  }

  /** Whether any action is a log rotation (no collector otherwise). */
  public boolean isEmpty() {
    return sets.isEmpty();
  }

  /** The highest directory above {@code dir} on the same filesystem: where it is mounted. */
  private static String mountPoint(Path dir) {
    try {
      FileStore store = Files.getFileStore(dir);
      Path p = dir;
      while (p.getParent() != null && Files.getFileStore(p.getParent()).equals(store)) {
        p = p.getParent();
      }
      return p.toString();
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public String name() {
    return "log_files";
  }

  @Override
  public List<MetricSnapshot> collect() {
    Family bytes =
        Family.gauge(
            "caretaker_log_file_bytes",
            "Size of each live log of a log-rotation action (set), sampled every cycle.",
            "set",
            "file",
            "mountpoint");
    for (Set s : sets) {
      List<LogFileSet.Live> live = new ArrayList<>();
      Map<Path, String> mountOf = new HashMap<>();
      for (Path root : s.spec().roots()) {
        try {
          Path real = root.toRealPath();
          String mount = mountPoints.computeIfAbsent(real, LogFilesCollector::mountPoint);
          for (LogFileSet.Live l : s.files().list(real)) {
            live.add(l);
            mountOf.put(l.path(), mount);
          }
        } catch (IOException e) {
          // a missing root: the action's run says so
        }
      }
      live.stream()
          .sorted(Comparator.comparingLong(LogFileSet.Live::size).reversed())
          .limit(MAX_FILES)
          .forEach(l -> bytes.add(l.size(), s.name(), l.path().toString(), mountOf.get(l.path())));
    }
    return List.of(bytes.toSnapshot());
  }
}
