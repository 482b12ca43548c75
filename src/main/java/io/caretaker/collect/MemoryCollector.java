package io.caretaker.collect;

import io.caretaker.metrics.Family;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;
import oshi.hardware.GlobalMemory;
import oshi.hardware.VirtualMemory;

/** Physical memory and swap. "Used" means not available (MemAvailable), as `free` shows it. */
public final class MemoryCollector implements Collector {
  private final GlobalMemory memory;

  public MemoryCollector(GlobalMemory memory) {
    this.memory = memory;
  }

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public List<MetricSnapshot> collect() {
    long total = memory.getTotal();
    long available = memory.getAvailable();
    VirtualMemory swap = memory.getVirtualMemory();
    return List.of(
        Family.gauge("host_memory_total_bytes", "Physical memory.").add(total).toSnapshot(),
        Family.gauge(
                "host_memory_available_bytes",
                "Memory available for new work without swapping (MemAvailable).")
            .add(available)
            .toSnapshot(),
        Family.gauge("host_memory_used_ratio", "Share of memory not available (0-1).")
            .add(total == 0 ? 0 : 1.0 - (double) available / total)
            .toSnapshot(),
        Family.gauge("host_swap_total_bytes", "Swap space.").add(swap.getSwapTotal()).toSnapshot(),
        Family.gauge("host_swap_used_bytes", "Swap space in use.")
            .add(swap.getSwapUsed())
            .toSnapshot());
  }
}
