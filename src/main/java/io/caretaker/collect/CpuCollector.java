package io.caretaker.collect;

import io.caretaker.metrics.Family;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;
import java.util.Locale;
import oshi.hardware.CentralProcessor;
import oshi.hardware.CentralProcessor.TickType;

/**
 * CPU time by mode, CPU count, load averages, and utilization between this collection and the
 * previous one (the first collection reports the average since boot).
 */
public final class CpuCollector implements Collector {
  private final CentralProcessor cpu;
  private long[] previousTicks = new long[TickType.values().length];
  private double utilization;

  public CpuCollector(CentralProcessor cpu) {
    this.cpu = cpu;
  }

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public synchronized List<MetricSnapshot> collect() {
    long[] ticks = cpu.getSystemCpuLoadTicks();
    Family seconds =
        Family.counter(
            "host_cpu_seconds_total",
            "Seconds the CPUs spent in each mode, summed over all CPUs.",
            "mode");
    for (TickType type : TickType.values()) {
      // OSHI reports Linux ticks in milliseconds.
      seconds.add(ticks[type.getIndex()] / 1000.0, type.name().toLowerCase(Locale.ROOT));
    }
    // OSHI memoizes tick readings for a moment: without new ticks, keep the last value.
    long elapsed = total(ticks) - total(previousTicks);
    if (elapsed > 0) {
      long idle =
          delta(ticks, previousTicks, TickType.IDLE) + delta(ticks, previousTicks, TickType.IOWAIT);
      utilization = Math.min(1.0, Math.max(0.0, 1.0 - (double) idle / elapsed));
      previousTicks = ticks;
    }
    double[] load = cpu.getSystemLoadAverage(3);
    return List.of(
        seconds.toSnapshot(),
        Family.gauge("host_cpus", "Logical CPUs.").add(cpu.getLogicalProcessorCount()).toSnapshot(),
        Family.gauge(
                "host_cpu_utilization_ratio",
                "Busy share of all CPUs (0-1) between the last two collections, sampled every cycle.")
            .add(utilization)
            .toSnapshot(),
        Family.gauge("host_load1", "1-minute load average.").add(load[0]).toSnapshot(),
        Family.gauge("host_load5", "5-minute load average.").add(load[1]).toSnapshot(),
        Family.gauge("host_load15", "15-minute load average.").add(load[2]).toSnapshot());
  }

  private static long delta(long[] now, long[] before, TickType type) {
    return now[type.getIndex()] - before[type.getIndex()];
  }

  private static long total(long[] ticks) {
    long sum = 0;
    for (long t : ticks) {
      sum += t;
    }
    return sum;
  }
}
