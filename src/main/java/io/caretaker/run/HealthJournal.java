package io.caretaker.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.caretaker.store.AtomicFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What reports read besides the run history: the health score once a minute and every rule
 * instance's state change, kept {@link #KEEP} in {@code data_dir/health.jsonl} (one JSON object a
 * line, appended; compacted at start-up). Written from the collection thread; a line that cannot be
 * written is logged once and the journal goes on in memory.
 */
public final class HealthJournal {
  private static final Logger log = LoggerFactory.getLogger(HealthJournal.class);

  /** How far back reports can look. */
  public static final Duration KEEP = Duration.ofDays(35);

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .setSerializationInclusion(JsonInclude.Include.NON_NULL);

  /**
   * One line: a score sample ({@code score}) or a rule change ({@code ref}, {@code rule}, {@code
   * from}, {@code to}).
   */
  public record Entry(Instant t, Integer score, String rule, String ref, String from, String to) {
    public boolean hasScore() {
      return score != null;
    }
  }

  private final Path file;
  private final Deque<Entry> entries = new ArrayDeque<>();
  private Instant lastScoreMinute = Instant.EPOCH;
  private boolean writeFailed;

  public HealthJournal(Path file, Instant now) {
    this.file = file;
    try {
      load(now);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open " + file + ": " + e.getMessage(), e);
    }
  }

  private void load(Instant now) throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    Instant oldest = now.minus(KEEP);
    int dropped = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      try {
        Entry e = JSON.readValue(line, Entry.class);
        if (e.t() != null && e.t().isAfter(oldest)) {
          entries.add(e);
        } else {
          dropped++;
        }
      } catch (IOException torn) {
        dropped++; // a line a crash cut short
      }
    }
    if (dropped > 0) {
      StringBuilder kept = new StringBuilder();
      for (Entry e : entries) {
        kept.append(JSON.writeValueAsString(e)).append('\n');
      }
      AtomicFile.write(
          file, kept.toString().getBytes(StandardCharsets.UTF_8), AtomicFile.Mode.REPLACE);
    }
  }

  /** The score, once per minute (the first sample of each minute). */
  public synchronized void score(Instant t, int score) {
    Instant minute = t.truncatedTo(ChronoUnit.MINUTES);
    if (minute.equals(lastScoreMinute)) {
      return;
    }
    lastScoreMinute = minute;
    append(new Entry(t, score, null, null, null, null));
  }

  /** A rule instance moved from {@code from} (null: new) to {@code to}. */
  public synchronized void ruleChanged(Instant t, String rule, String ref, String from, String to) {
    if (!Objects.equals(from, to)) {
      append(new Entry(t, null, rule, ref, from, to));
    }
  }

  /** Entries with {@code from <= t < to}, oldest first. */
  public synchronized List<Entry> between(Instant from, Instant to) {
    List<Entry> out = new ArrayList<>();
    for (Entry e : entries) {
      if (!e.t().isBefore(from) && e.t().isBefore(to)) {
        out.add(e);
      }
    }
    return out;
  }

  private void append(Entry e) {
    entries.add(e);
    Instant oldest = e.t().minus(KEEP);
    while (!entries.isEmpty() && entries.peekFirst().t().isBefore(oldest)) {
      entries.removeFirst();
    }
    try (Writer w =
        Files.newBufferedWriter(
            file,
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND,
            StandardOpenOption.WRITE)) {
      w.write(JSON.writeValueAsString(e));
      w.write('\n');
      writeFailed = false;
    } catch (IOException ex) {
      if (!writeFailed) {
        log.warn("Cannot write the health journal {}: {}", file, ex.toString());
        writeFailed = true;
      }
    }
  }
}
