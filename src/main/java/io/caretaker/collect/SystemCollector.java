package io.caretaker.collect;

import io.caretaker.metrics.Family;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;
import oshi.software.os.OperatingSystem;

/** Kernel-wide counts: open file descriptors and their limit, processes, threads, boot time. */
public final class SystemCollector implements Collector {
  private final OperatingSystem os;

  public SystemCollector(OperatingSystem os) {
    this.os = os;
  }

  @Override
  public String name() {
    return "system";
  }

  @Override
  public List<MetricSnapshot> collect() {
    return List.of(
        Family.gauge("host_file_descriptors_open", "File handles allocated by the kernel.")
            .add(os.getFileSystem().getOpenFileDescriptors())
            .toSnapshot(),
        Family.gauge("host_file_descriptors_max", "Kernel limit on file handles (fs.file-max).")
            .add(os.getFileSystem().getMaxFileDescriptors())
            .toSnapshot(),
        Family.gauge("host_processes", "Processes.").add(os.getProcessCount()).toSnapshot(),
        Family.gauge("host_threads", "Threads.").add(os.getThreadCount()).toSnapshot(),
        Family.gauge("host_boot_time_seconds", "When the host booted, in unix seconds.")
            .add(os.getSystemBootTime())
            .toSnapshot());
  }
}
