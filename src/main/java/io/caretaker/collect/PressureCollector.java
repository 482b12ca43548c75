package io.caretaker.collect;

import io.caretaker.metrics.Family;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Pressure stall information (/proc/pressure, Linux 4.20+): seconds that some task waited for CPU,
 * and that some or all tasks stalled on memory and on I/O. The first sign of a host that is short
 * of something, before utilization says so. Absent when the kernel has no PSI.
 */
public final class PressureCollector implements Collector {
  private final ProcFiles proc;

  public PressureCollector() {
    this(ProcFiles.system());
  }

  PressureCollector(ProcFiles proc) {
    this.proc = proc;
  }

  @Override
  public String name() {
    return "pressure";
  }

  @Override
  public List<MetricSnapshot> collect() {
    List<MetricSnapshot> out = new ArrayList<>();
    for (String resource : List.of("cpu", "memory", "io")) {
      Map<String, Double> totals = proc.pressure(resource);
      Double some = totals.get("some");
      if (some != null) {
        out.add(
            Family.counter(
                    "host_pressure_" + resource + "_waiting_seconds_total",
                    "Seconds in which at least one task waited for " + resource + " (PSI some).")
                .add(some)
                .toSnapshot());
      }
      Double full = totals.get("full");
      if (full != null && !resource.equals("cpu")) {
        out.add(
            Family.counter(
                    "host_pressure_" + resource + "_stalled_seconds_total",
                    "Seconds in which all non-idle tasks stalled on " + resource + " (PSI full).")
                .add(full)
                .toSnapshot());
      }
    }
    return out;
  }
}
