package io.caretaker.run;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caretaker.actions.RunRecord.Outcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.caretaker.actions.RunLog;
import io.caretaker.actions.RunRecord;

/**
 * The persisted run history: one JSON line per record in {@code data_dir/runs.jsonl}, appended
 * and fsynced, so a kill -9 loses at most the line being written. A record may be written more
 * than once under its id (a run when it starts and when it ends; a coalesced skip as its count
 * grows): the last line of an id wins. On open, a torn last line is cut off, unreadable lines
 * are skipped, and a run whose last line says running was interrupted by a stop: it is recorded
 * as a failure, reason {@value #INTERRUPTED}. Ids are never reused. The newest {@code capacity}
 * executed runs are kept, and beside them at most {@code capacity} skip records: a flood of
 * skips never pushes out a run that executed.
 */
public final class RunHistory implements RunLog, AutoCloseable {
  static final String INTERRUPTED = "interrupted";
  private static final Logger log = LoggerFactory.getLogger(RunHistory.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final Path file;
  private final int capacity;
  /** By id, which is also start order. */
  private final TreeMap<Long, RunRecord> records = new TreeMap<>();
  private FileChannel channel;
  private long lines;
  private long lastId;
  private int skips;

  public RunHistory(Path file, int capacity) {
    this.file = file;
    this.capacity = capacity;
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      load();
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND);
      closeInterrupted(Instant.now());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open run history " + file + ": " + e.getMessage(), e);
    }
  }

  /** The directory the history lives in (the executor keeps its guard state beside it). */
  public Path dir() {
    return file.toAbsolutePath().getParent();
  }

  public synchronized long nextId() {
    return ++lastId;
  }

  /**
   * Writes (and fsyncs) a record, new or a later state of one already here; keeps the file within
   * twice the capacity by compaction.
   */
  public synchronized void append(RunRecord record) {
    put(record);
    write(record);
  }

  /**
   * Replaces a record in memory only (a coalesced skip counting up); a later {@link #append} of
   * the same id writes it.
   */
  public synchronized void update(RunRecord record) {
    put(record);
  }

  /** Newest first, optionally for one action. */
  public synchronized List<RunRecord> newest(Optional<String> action, int limit) {
    List<RunRecord> out = new ArrayList<>();
    for (Iterator<RunRecord> it = records.descendingMap().values().iterator();
        it.hasNext() && out.size() < limit;) {
      RunRecord r = it.next();
      if (action.isEmpty() || action.get().equals(r.action())) {
        out.add(r);
      }
    }
    return out;
  }

  public synchronized Optional<RunRecord> find(long id) {
    return Optional.ofNullable(records.get(id));
  }

  @Override
  public synchronized Optional<RunRecord> last(String action) {
    return last(action, r -> true);
  }

  /** The newest record of {@code action} that satisfies {@code filter}. */
  public synchronized Optional<RunRecord> last(String action, Predicate<RunRecord> filter) {
    for (RunRecord r : records.descendingMap().values()) {
      if (r.action().equals(action) && filter.test(r)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  public synchronized long count(String action, Predicate<RunRecord> filter) {
    return records.values().stream().filter(r -> r.action().equals(action) && filter.test(r))
        .count();
  }

  @Override
  public synchronized void close() {
    try {
      if (channel != null) {
        channel.close();
      }
    } catch (IOException e) {
      log.warn("Closing run history: {}", e.toString());
    }
  }

  private void put(RunRecord record) {
    RunRecord previous = records.put(record.id(), record);
    if (previous != null && skip(previous)) {
      skips--;
    }
    if (skip(record)) {
      skips++;
    }
    lastId = Math.max(lastId, record.id());
    while (skips > capacity) {
      evictOldest(true);
    }
    while (records.size() - skips > capacity) {
      evictOldest(false);
    }
  }

  private static boolean skip(RunRecord r) {
    return r.outcome() == Outcome.SKIPPED;
  }

  /** The oldest skip record, or executed run; never the newest record (ids continue from it). */
  private void evictOldest(boolean skipRecord) {
    long newest = records.lastKey();
    for (Iterator<RunRecord> it = records.values().iterator(); it.hasNext();) {
      RunRecord r = it.next();
      if (skip(r) == skipRecord && r.id() != newest) {
        it.remove();
        if (skipRecord) {
          skips--;
        }
        return;
      }
    }
  }

  private void write(RunRecord record) {
    try {
      channel.write(ByteBuffer.wrap(line(record)));
      channel.force(false);
      if (++lines > 2L * capacity) {
        compact();
      }
    } catch (IOException e) {
      // The record stays in memory; the run itself happened and must still be reported.
      log.error("Cannot write run history {}: {}", file, e.toString());
    }
  }

  private static byte[] line(RunRecord r) throws IOException {
    return (JSON.writeValueAsString(r.toJson()) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private void closeInterrupted(Instant now) {
    List<RunRecord> interrupted = records.values().stream()
        .filter(r -> r.outcome() == Outcome.RUNNING).toList();
    for (RunRecord r : interrupted) {
      log.warn("Run {} of {} was interrupted by a stop of the agent; recorded as failed", r.id(),
          r.action());
      append(new RunRecord(r.id(), r.action(), r.trigger(), r.startedAt(), now, Outcome.FAILURE,
          INTERRUPTED, r.dryRun(), r.details()));
    }
  }

  private void load() throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    byte[] bytes = Files.readAllBytes(file);
    int end = bytes.length;
    while (end > 0 && bytes[end - 1] != '\n') {
      end--;
    }
    if (end < bytes.length) {
      log.warn("Run history {}: dropping a torn last record ({} bytes) left by a crash", file,
          bytes.length - end);
      try (FileChannel truncate = FileChannel.open(file, StandardOpenOption.WRITE)) {
        truncate.truncate(end);
        truncate.force(false);
      }
    }
    int skipped = 0;
    for (String line : new String(bytes, 0, end, StandardCharsets.UTF_8).split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      lines++;
      try {
        put(RunRecord.fromJson(JSON.readValue(line, MAP)));
      } catch (IOException | RuntimeException e) {
        skipped++;
      }
    }
    if (skipped > 0) {
      log.warn("Run history {}: skipped {} unreadable records", file, skipped);
    }
  }

  /** Rewrites the file with one line per kept record: aside, fsynced, renamed. */
  private void compact() throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      for (RunRecord r : records.values()) {
        out.write(ByteBuffer.wrap(line(r)));
      }
      out.force(true);
    }
    channel.close();
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    lines = records.size();
  }
}
