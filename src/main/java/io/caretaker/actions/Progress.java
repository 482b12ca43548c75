package io.caretaker.actions;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How far a long run has come, told by the action as it goes ({@code keys_scanned}, {@code
 * bytes_read}, {@code files_done} of {@code files_total}...) and read by whoever watches the run:
 * the run's record while it runs, the event stream, a progress bar. Writes are a map lookup and an
 * atomic store, cheap enough for every key or file; readers take a copy when they want one.
 */
public final class Progress {
  private final Map<String, AtomicLong> figures = new ConcurrentHashMap<>();
  private final AtomicLong changes = new AtomicLong();

  /** Sets a figure to {@code value}. */
  public void set(String figure, long value) {
    figures.computeIfAbsent(figure, k -> new AtomicLong()).set(value);
    changes.incrementAndGet();
  }

  /** Adds {@code delta} to a figure (0 when first told). */
  public void add(String figure, long delta) {
    figures.computeIfAbsent(figure, k -> new AtomicLong()).addAndGet(delta);
    changes.incrementAndGet();
  }

  /** Grows with every change: a reader compares it to tell whether anything moved. */
  public long changes() {
    return changes.get();
  }

  /** The figures now, sorted by name. */
  public Map<String, Object> snapshot() {
    Map<String, Object> out = new LinkedHashMap<>();
    figures.keySet().stream().sorted().forEach(k -> out.put(k, figures.get(k).get()));
    return out;
  }
}
