package io.caretaker.collect;

import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;
import java.util.Locale;
import oshi.hardware.CentralProcessor;
import oshi.hardware.CentralProcessor.TickType;

/** CPU time by mode, CPU count, utilization since the previous cycle, and load averages. */
public final class CpuCollector implements Collector {
  private final CentralProcessor cpu;
  private long[] previousTicks;
  private double utilization;

  public CpuCollector(CentralProcessor cpu) {
    this.cpu = cpu;
    this.previousTicks = cpu.getSystemCpuLoadTicks();
  }

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public synchronized List<MetricSnapshot> collect() {
    long[] ticks = cpu.getSystemCpuLoadTicks();
    Family seconds = Family.counter("host_cpu_seconds_total",
        "Seconds the CPUs spent in each mode, summed over all CPUs.", "mode");
    for (TickType type : TickType.values()) {
      // OSHI reports Linux ticks in milliseconds.
      seconds.add(ticks[type.getIndex()] / 1000.0, type.name().toLowerCase(Locale.ROOT));
    }
    if (total(ticks) > total(previousTicks)) {
      utilization = cpu.getSystemCpuLoadBetweenTicks(previousTicks);
      previousTicks = ticks;
    }
    double[] load = cpu.getSystemLoadAverage(3);
    return List.of(
        seconds.toSnapshot(),
        Family.gauge("host_cpu_count", "Logical CPUs.")
            .add(cpu.getLogicalProcessorCount()).toSnapshot(),
        Family.gauge("host_cpu_utilization_ratio",
            "Busy share of all CPUs (0-1) between the last two collections, sampled every cycle.")
            .add(utilization).toSnapshot(),
        Family.gauge("host_load1", "1-minute load average.").add(load[0]).toSnapshot(),
        Family.gauge("host_load5", "5-minute load average.").add(load[1]).toSnapshot(),
        Family.gauge("host_load15", "15-minute load average.").add(load[2]).toSnapshot());
  }

  private static long total(long[] ticks) {
    long sum = 0;
    for (long t : ticks) {
      sum += t;
    }
    return sum;
  }
}
