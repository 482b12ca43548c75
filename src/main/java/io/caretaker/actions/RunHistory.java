package io.caretaker.actions;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persisted run history: one JSON line per run in {@code data_dir/runs.jsonl}, appended and
 * fsynced, so a kill -9 loses at most the line being written. On open, a torn last line is cut
 * off and unreadable lines are skipped; earlier records are never rewritten except by compaction,
 * which writes the newest {@code capacity} records to a temp file, fsyncs and renames it.
 */
public final class RunHistory implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RunHistory.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final Path file;
  private final int capacity;
  private final Deque<RunRecord> records = new ArrayDeque<>();
  private FileChannel channel;
  private long lines;
  private long lastId;

  public RunHistory(Path file, int capacity) {
    this.file = file;
    this.capacity = capacity;
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      load();
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open run history " + file + ": " + e.getMessage(), e);
    }
  }

  public synchronized long nextId() {
    return ++lastId;
  }

  /** Appends and fsyncs one record; keeps the file within twice the capacity by compaction. */
  public synchronized void append(RunRecord record) {
    records.addLast(record);
    while (records.size() > capacity) {
      records.removeFirst();
    }
    try {
      byte[] line = (JSON.writeValueAsString(record.toJson()) + "\n")
          .getBytes(StandardCharsets.UTF_8);
      channel.write(ByteBuffer.wrap(line));
      channel.force(false);
      if (++lines > 2L * capacity) {
        compact();
      }
    } catch (IOException e) {
      // The record stays in memory; the run itself happened and must still be reported.
      log.error("Cannot write run history {}: {}", file, e.toString());
    }
  }

  /** Newest first, optionally for one action. */
  public synchronized List<RunRecord> newest(Optional<String> action, int limit) {
    List<RunRecord> out = new ArrayList<>();
    for (Iterator<RunRecord> it = records.descendingIterator(); it.hasNext() && out.size() < limit;) {
      RunRecord r = it.next();
      if (action.isEmpty() || action.get().equals(r.action())) {
        out.add(r);
      }
    }
    return out;
  }

  public synchronized Optional<RunRecord> find(long id) {
    return records.stream().filter(r -> r.id() == id).findFirst();
  }

  /** The newest record of {@code action} that satisfies {@code filter}. */
  public synchronized Optional<RunRecord> last(String action, Predicate<RunRecord> filter) {
    for (Iterator<RunRecord> it = records.descendingIterator(); it.hasNext();) {
      RunRecord r = it.next();
      if (r.action().equals(action) && filter.test(r)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  public synchronized long count(String action, Predicate<RunRecord> filter) {
    return records.stream().filter(r -> r.action().equals(action) && filter.test(r)).count();
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
        RunRecord r = RunRecord.fromJson(JSON.readValue(line, MAP));
        records.addLast(r);
        lastId = Math.max(lastId, r.id());
        if (records.size() > capacity) {
          records.removeFirst();
        }
      } catch (IOException | RuntimeException e) {
        skipped++;
      }
    }
    if (skipped > 0) {
      log.warn("Run history {}: skipped {} unreadable records", file, skipped);
    }
  }

  private void compact() throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      for (RunRecord r : records) {
        out.write(ByteBuffer.wrap((JSON.writeValueAsString(r.toJson()) + "\n")
            .getBytes(StandardCharsets.UTF_8)));
      }
      out.force(true);
    }
    channel.close();
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    lines = records.size();
  }
}
