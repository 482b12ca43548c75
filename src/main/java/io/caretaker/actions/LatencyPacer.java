package io.caretaker.actions;

import java.time.Duration;
import java.util.Map;

/**
 * Keeps a Redis cleanup gentle: Redis runs one command at a time, so what other clients wait for
 * is how long each of our commands (a SCAN page, a delete batch) holds it. After each command:
 * above the target, halve the batch and leave Redis idle for the overshoot; well under it, grow
 * the batch again up to the configured size (additive increase, multiplicative decrease).
 */
final class LatencyPacer {
  static final int MIN_BATCH = 10;
  private static final double BUCKET_MS = 0.05;
  private static final long MAX_PAUSE_NANOS = 100_000_000;

  private final int maxBatch;
  private final long targetNanos;
  private final int[] buckets = new int[2000]; // 0.05 ms each, the last one holds all above 100 ms
  private int batch;
  private long samples;
  private long worstNanos;
  private long throttled;

  LatencyPacer(int maxBatch, Duration target) {
    this.maxBatch = maxBatch;
    this.targetNanos = target.toNanos();
    this.batch = maxBatch;
  }

  int batch() {
    return batch;
  }

  /** Records how long one command held Redis; sleeps when that was above the target. */
  void observe(long nanos) throws InterruptedException {
    samples++;
    worstNanos = Math.max(worstNanos, nanos);
    buckets[(int) Math.min(buckets.length - 1, nanos / (BUCKET_MS * 1e6))]++;
    if (nanos > targetNanos) {
      throttled++;
      batch = Math.max(MIN_BATCH, batch / 2);
      long overshoot = Math.min(nanos - targetNanos, MAX_PAUSE_NANOS);
      Thread.sleep(overshoot / 1_000_000, (int) (overshoot % 1_000_000));
    } else if (nanos < targetNanos / 2 && batch < maxBatch) {
      batch = Math.min(maxBatch, batch + Math.max(MIN_BATCH, maxBatch / 10));
    }
  }

  /** Round-trip figures for the run record. */
  void report(Map<String, Object> details) {
    details.put("commands", samples);
    details.put("command_time_p99_ms", round(percentile(0.99)));
    details.put("command_time_max_ms", round(worstNanos / 1e6));
    details.put("commands_throttled", throttled);
    details.put("final_batch", batch);
  }

  private double percentile(double q) {
    long rank = (long) Math.ceil(q * samples);
    long seen = 0;
    for (int i = 0; i < buckets.length; i++) {
      seen += buckets[i];
      if (seen >= rank && rank > 0) {
        return (i + 1) * BUCKET_MS;
      }
    }
    return 0;
  }

  private static double round(double ms) {
    return Math.round(ms * 100) / 100.0;
  }
}
