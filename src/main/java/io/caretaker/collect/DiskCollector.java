package io.caretaker.collect;

import io.caretaker.metrics.Family;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;
import oshi.hardware.HWDiskStore;
import oshi.hardware.HardwareAbstractionLayer;

/** Bytes read from and written to each block device, named as in /proc/diskstats ("vda"). */
public final class DiskCollector implements Collector {
  private final HardwareAbstractionLayer hardware;

  public DiskCollector(HardwareAbstractionLayer hardware) {
    this.hardware = hardware;
  }

  @Override
  public String name() {
    return "disk";
  }

  @Override
  public List<MetricSnapshot> collect() {
    Family read =
        Family.counter("host_disk_read_bytes_total", "Bytes read from the device.", "device");
    Family written =
        Family.counter("host_disk_written_bytes_total", "Bytes written to the device.", "device");
    for (HWDiskStore disk : hardware.getDiskStores()) {
      String device = disk.getName().replaceFirst("^/dev/", "");
      read.add(disk.getReadBytes(), device);
      written.add(disk.getWriteBytes(), device);
    }
    return List.of(read.toSnapshot(), written.toSnapshot());
  }
}
