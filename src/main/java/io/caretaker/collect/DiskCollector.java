package io.caretaker.collect;

import io.caretaker.metrics.Family;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Bytes read from and written to each block device, named as in /proc/diskstats ("vda"): whole
 * disks only (those in /sys/block; partitions are counted in their disk), and not devices with no
 * medium (an unused loop device has size 0). One read of /proc/diskstats, as node_exporter does,
 * instead of OSHI's udev walk of every device each cycle.
 */
public final class DiskCollector implements Collector {
  // /proc/diskstats counts in 512-byte sectors whatever the device's own sector size.
  private static final long SECTOR_BYTES = 512;

  private final ProcFiles proc;
  private final Path sysBlock;

  public DiskCollector() {
    this(ProcFiles.system(), Path.of("/sys/block"));
  }

  DiskCollector(ProcFiles proc, Path sysBlock) {
    this.proc = proc;
    this.sysBlock = sysBlock;
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
    for (String line : proc.lines("diskstats")) {
      // major minor name reads merged sectors_read ms writes merged sectors_written ...
      String[] f = line.trim().split("\\s+");
      if (f.length >= 10 && hasMedium(f[2])) {
        read.add(Long.parseLong(f[5]) * SECTOR_BYTES, f[2]);
        written.add(Long.parseLong(f[9]) * SECTOR_BYTES, f[2]);
      }
    }
    return List.of(read.toSnapshot(), written.toSnapshot());
  }

  /** Whether {@code device} is a whole disk with a medium: /sys/block/DEVICE/size above 0. */
  private boolean hasMedium(String device) {
    try {
      return Long.parseLong(Files.readString(sysBlock.resolve(device).resolve("size")).trim()) > 0;
    } catch (IOException | NumberFormatException notAWholeDisk) {
      return false;
    }
  }
}
