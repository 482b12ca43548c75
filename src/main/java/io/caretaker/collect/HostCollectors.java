package io.caretaker.collect;

import io.caretaker.config.CollectConfig;
import java.util.List;
import oshi.SystemInfo;

/** The host collectors, in one place: what caretaker collects about the machine and itself. */
public final class HostCollectors {
  private HostCollectors() {}

  /** Builds the host collectors; slow the first time (OSHI loads JNA), so call it on a worker. */
  public static List<Collector> create(CollectConfig config) {
    SystemInfo system = new SystemInfo();
    var hardware = system.getHardware();
    var os = system.getOperatingSystem();
    return List.of(
        new CpuCollector(hardware.getProcessor()),
        new MemoryCollector(hardware.getMemory()),
        new FilesystemCollector(os.getFileSystem(), config.excludeFstypes(),
            config.excludeMountpoints()),
        new DiskCollector(hardware),
        new NetworkCollector(hardware, config.excludeInterfaces()),
        new SystemCollector(os),
        new JvmCollector());
  }
}
