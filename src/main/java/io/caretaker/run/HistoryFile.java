package io.caretaker.run;

import io.caretaker.actions.RunRecord;
import io.caretaker.store.AtomicFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code runs.jsonl} and the one thread that writes it: appends (fsynced) and compactions run there
 * in the order they were asked for, so no reader ever waits on the disk. Reading happens once, at
 * start-up, before the thread takes over: a torn last line is cut off, unreadable lines are
 * skipped.
 */
final class HistoryFile implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HistoryFile.class);

  private final Path file;
  private final ExecutorService writer =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "caretaker-history");
            t.setDaemon(true);
            return t;
          });
  private FileChannel channel;
  private long lines;

  HistoryFile(Path file) {
    this.file = file;
  }

  Path dir() {
    return file.toAbsolutePath().getParent();
  }

  /** Every readable record in file order (an id may come more than once: the last one wins). */
  List<RunRecord> load() throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    List<RunRecord> records = new ArrayList<>();
    if (Files.exists(file)) {
      byte[] bytes = Files.readAllBytes(file);
      int end = cutTornLine(bytes);
      int skipped = 0;
      for (String line : new String(bytes, 0, end, StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank()) {
          continue;
        }
        lines++;
        try {
          records.add(RunRecord.fromJson(line));
        } catch (IOException | RuntimeException e) {
          skipped++;
        }
      }
      if (skipped > 0) {
        log.warn("Run history {}: skipped {} unreadable records", file, skipped);
      }
    }
    channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    return records;
  }

  /**
   * Appends {@code record} on the writer thread; when the file has grown past {@code maxLines},
   * rewrites it from {@code current}. The future completes once the line is fsynced.
   */
  CompletableFuture<Void> append(
      RunRecord record, long maxLines, Supplier<Collection<RunRecord>> current) {
    return CompletableFuture.runAsync(
        () -> {
          try {
            channel.write(ByteBuffer.wrap(line(record)));
            channel.force(false);
            if (++lines > maxLines) {
              compact(current.get());
            }
          } catch (IOException e) {
            // The record stays in memory; the run itself happened and must still be reported.
            log.error("Cannot write run history {}: {}", file, e.toString());
          }
        },
        writer);
  }

  @Override
  public void close() {
    writer.shutdown();
    try {
      writer.awaitTermination(5, TimeUnit.SECONDS);
      if (channel != null) {
        channel.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      log.warn("Closing run history: {}", e.toString());
    }
  }

  /** One line per kept record, through AtomicFile: the file is whole, old or new. */
  private void compact(Collection<RunRecord> records) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (RunRecord r : records) {
      out.writeBytes(line(r));
    }
    channel.close();
    AtomicFile.write(file, out.toByteArray(), AtomicFile.Mode.REPLACE);
    channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    lines = records.size();
  }

  private int cutTornLine(byte[] bytes) throws IOException {
    int end = bytes.length;
    while (end > 0 && bytes[end - 1] != '\n') {
      end--;
    }
    if (end < bytes.length) {
      log.warn(
          "Run history {}: dropping a torn last record ({} bytes) left by a crash",
          file,
          bytes.length - end);
      try (FileChannel truncate = FileChannel.open(file, StandardOpenOption.WRITE)) {
        truncate.truncate(end);
        truncate.force(false);
      }
    }
    return end;
  }

  private static byte[] line(RunRecord r) throws IOException {
    return (r.toJsonLine() + "\n").getBytes(StandardCharsets.UTF_8);
  }
}
