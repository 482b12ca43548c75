package io.caretaker.run;

import io.caretaker.actions.RunLog;
import io.caretaker.actions.RunRecord;
import io.caretaker.actions.RunRecord.Outcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run history: an in-memory view that readers use without waiting (an event-loop GET never
 * waits on a disk), kept in {@code data_dir/runs.jsonl} by one writer thread ({@link HistoryFile}).
 * A record may be written more than once under its id (a run when it starts and when it ends; a
 * coalesced skip as its count grows): the last line of an id wins. On open, a run whose last line
 * says running was interrupted by a stop: it is recorded as a failure, reason {@value
 * #INTERRUPTED}. Ids are never reused. The newest {@code capacity} executed runs are kept, and
 * beside them at most {@code capacity} skip records: a flood of skips never pushes out a run that
 * executed.
 */
public final class RunHistory implements RunLog, AutoCloseable {
  static final String INTERRUPTED = "interrupted";
  private static final Logger log = LoggerFactory.getLogger(RunHistory.class);

  private final int capacity;
  private final HistoryFile file;

  /** By id, which is also start order; changed under the lock, read without it. */
  private final ConcurrentSkipListMap<Long, RunRecord> records = new ConcurrentSkipListMap<>();

  private int skips;
  private long lastId;

  public RunHistory(Path file, int capacity) {
    this.capacity = capacity;
    this.file = new HistoryFile(file);
    try {
      this.file.load().forEach(this::put);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open run history " + file + ": " + e.getMessage(), e);
    }
    closeInterrupted(Instant.now());
  }

  /** The directory the history lives in (the executor keeps its guard state beside it). */
  public Path dir() {
    return file.dir();
  }

  public synchronized long nextId() {
    return ++lastId;
  }

  /**
   * Records a run, new or a later state of one already here: in the view at once, in the file by
   * the writer thread. The future completes when the line is fsynced (a run's start is awaited, so
   * a kill -9 never loses a started run; the rest need not wait).
   */
  public synchronized CompletableFuture<Void> append(RunRecord record) {
    put(record);
    return file.append(record, 2L * capacity, this::snapshot);
  }

  /**
   * Replaces a record in the view only (a coalesced skip counting up); a later {@link #append} of
   * the same id writes it.
   */
  public synchronized void update(RunRecord record) {
    put(record);
  }

  /** Newest first, optionally for one action. */
  public List<RunRecord> newest(Optional<String> action, int limit) {
    return newest(r -> action.isEmpty() || action.get().equals(r.action()), limit);
  }

  /** Newest first, those {@code filter} takes. */
  public List<RunRecord> newest(Predicate<RunRecord> filter, int limit) {
    List<RunRecord> out = new ArrayList<>();
    for (Iterator<RunRecord> it = records.descendingMap().values().iterator();
        it.hasNext() && out.size() < limit; ) {
      RunRecord r = it.next();
      if (filter.test(r)) {
        out.add(r);
      }
    }
    return out;
  }

  public Optional<RunRecord> find(long id) {
    return Optional.ofNullable(records.get(id));
  }

  @Override
  public Optional<RunRecord> last(String action) {
    return last(action, r -> true);
  }

  /** The newest record of {@code action} that satisfies {@code filter}. */
  public Optional<RunRecord> last(String action, Predicate<RunRecord> filter) {
    for (RunRecord r : records.descendingMap().values()) {
      if (r.action().equals(action) && filter.test(r)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /** Waits until everything recorded so far is on disk, then stops the writer. */
  @Override
  public void close() {
    file.close();
  }

  private synchronized Collection<RunRecord> snapshot() {
    return List.copyOf(records.values());
  }

  private synchronized void put(RunRecord record) {
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
    for (Iterator<RunRecord> it = records.values().iterator(); it.hasNext(); ) {
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

  private void closeInterrupted(Instant now) {
    List<RunRecord> interrupted =
        records.values().stream().filter(r -> r.outcome() == Outcome.RUNNING).toList();
    for (RunRecord r : interrupted) {
      log.warn(
          "Run {} of {} was interrupted by a stop of the agent; recorded as failed",
          r.id(),
          r.action());
      append(
          new RunRecord(
              r.id(),
              r.action(),
              r.trigger(),
              r.startedAt(),
              now,
              Outcome.FAILURE,
              INTERRUPTED,
              r.dryRun(),
              r.details()));
    }
  }
}
