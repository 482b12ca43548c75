package io.caretaker.redis;

import java.time.Duration;
import java.util.Map;

/**
 * Keeps a Redis sweep gentle (the cleanup's, the key-group scan's): Redis runs one command at a
 * time, so what other clients wait for is how long each of our commands (a SCAN page, a delete
 * batch) holds it. The pacer sizes the next command so it holds Redis for about half the target,
 * which leaves room for the variation a busy host adds and keeps the p99 under the target: above
 * half, the size shrinks in proportion; well under, it grows again up to the configured size. A
 * command above the target halves the size and asks for a pause as long as the overshoot, so other
 * clients get that time back. One pacer per kind of command, since a SCAN page and a delete batch
 * cost Redis differently per key.
 */
public final class LatencyPacer {
  public static final int MIN_BATCH = 10;
  private static final double BUCKET_MS = 0.05;
  private static final long MAX_PAUSE_NANOS = 100_000_000;

  private final int maxBatch;
  private final long targetNanos;
  private final long aimNanos;
  private final int[] buckets = new int[2000]; // 0.05 ms each, the last one holds all above 100 ms
  private int batch;
  private long samples;
  private long worstNanos;
  private long throttled;

  public LatencyPacer(int maxBatch, Duration target) {
    this.maxBatch = maxBatch;
    this.targetNanos = target.toNanos();
    this.aimNanos = targetNanos / 2;
    this.batch = maxBatch;
  }

  public int batch() {
    return batch;
  }

  /**
   * Records how long one command held Redis and sizes the next one; returns how long to pause
   * before sending more, in nanoseconds (0 unless it was above the target).
   */
  public long observe(long nanos) {
    samples++;
    worstNanos = Math.max(worstNanos, nanos);
    buckets[(int) Math.min(buckets.length - 1, nanos / (BUCKET_MS * 1e6))]++;
    if (nanos > targetNanos) {
      throttled++;
      batch = Math.max(MIN_BATCH, batch / 2);
      return Math.min(nanos - targetNanos, MAX_PAUSE_NANOS);
    }
    if (nanos > aimNanos) {
      batch = Math.max(MIN_BATCH, (int) (batch * aimNanos / nanos));
    } else if (nanos < aimNanos * 4 / 5) {
      batch = Math.min(maxBatch, batch + Math.max(MIN_BATCH, maxBatch / 10));
    }
    return 0;
  }

  /** The run record's figures for the SCAN pages and the delete batches together. */
  public static void report(Map<String, Object> details, LatencyPacer scan, LatencyPacer delete) {
    long samples = scan.samples + delete.samples;
    details.put("commands", samples);
    double maxMs = Math.max(scan.worstNanos, delete.worstNanos) / 1e6;
    // A bucket's upper bound, so never above the slowest command really seen.
    details.put(
        "command_time_p99_ms", round(Math.min(percentile(0.99, samples, scan, delete), maxMs)));
    details.put("command_time_max_ms", round(maxMs));
    details.put("commands_throttled", scan.throttled + delete.throttled);
    details.put("final_scan_count", scan.batch);
    details.put("final_batch", delete.batch);
  }

  private static double percentile(double q, long samples, LatencyPacer a, LatencyPacer b) {
    long rank = (long) Math.ceil(q * samples);
    long seen = 0;
    for (int i = 0; i < a.buckets.length; i++) {
      seen += a.buckets[i] + b.buckets[i];
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
