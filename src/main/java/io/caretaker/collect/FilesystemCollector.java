package io.caretaker.collect;

import io.caretaker.metrics.Family;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;
import java.util.regex.Pattern;
import oshi.software.os.FileSystem;
import oshi.software.os.OSFileStore;

/**
 * Size, free space and inodes of mounted filesystems, minus excluded types and mountpoints.
 * Filesystems of size 0 (pseudo filesystems) are skipped. The used ratio is df's Use%: used / (used
 * + available to unprivileged users).
 */
public final class FilesystemCollector implements Collector {
  private static final String[] LABELS = {"mountpoint", "fstype", "device"};

  private final FileSystem fs;
  private final List<String> excludeFstypes;
  private final List<Pattern> excludeMountpoints;
  private final boolean nodeNames;

  /** {@code nodeNames}: node_exporter's node_filesystem_* too (collect.node_compat). */
  public FilesystemCollector(
      FileSystem fs,
      List<String> excludeFstypes,
      List<Pattern> excludeMountpoints,
      boolean nodeNames) {
    this.fs = fs;
    this.excludeFstypes = List.copyOf(excludeFstypes);
    this.excludeMountpoints = List.copyOf(excludeMountpoints);
    this.nodeNames = nodeNames;
  }

  @Override
  public String name() {
    return "filesystem";
  }

  @Override
  public List<MetricSnapshot> collect() {
    Family size = Family.gauge("host_filesystem_size_bytes", "Filesystem size.", LABELS);
    Family avail =
        Family.gauge(
            "host_filesystem_avail_bytes", "Space available to unprivileged users.", LABELS);
    Family used =
        Family.gauge(
            "host_filesystem_used_ratio",
            "Share of the filesystem in use, as df shows it (0-1).",
            LABELS);
    Family files = Family.gauge("host_filesystem_files", "Inodes.", LABELS);
    Family filesFree = Family.gauge("host_filesystem_files_free", "Free inodes.", LABELS);
    String[] nodeLabels = {"device", "fstype", "mountpoint"};
    Family nodeSize =
        Family.gauge("node_filesystem_size_bytes", "Filesystem size in bytes.", nodeLabels);
    Family nodeAvail =
        Family.gauge(
            "node_filesystem_avail_bytes", "Space available to non-root users.", nodeLabels);
    Family nodeFree = Family.gauge("node_filesystem_free_bytes", "Free space.", nodeLabels);
    for (OSFileStore store : fs.getFileStores()) {
      if (excluded(store) || store.getTotalSpace() <= 0) {
        continue;
      }
      String[] labels = {store.getMount(), store.getType(), store.getVolume()};
      long total = store.getTotalSpace();
      long usable = store.getUsableSpace();
      long usedBytes = total - store.getFreeSpace();
      size.add(total, labels);
      avail.add(usable, labels);
      used.add(usedBytes + usable == 0 ? 0 : (double) usedBytes / (usedBytes + usable), labels);
      files.add(store.getTotalInodes(), labels);
      filesFree.add(store.getFreeInodes(), labels);
      nodeSize.add(total, store.getVolume(), store.getType(), store.getMount());
      nodeAvail.add(usable, store.getVolume(), store.getType(), store.getMount());
      nodeFree.add(store.getFreeSpace(), store.getVolume(), store.getType(), store.getMount());
    }
    List<MetricSnapshot> out =
        new java.util.ArrayList<>(
            List.of(
                size.toSnapshot(),
                avail.toSnapshot(),
                used.toSnapshot(),
                files.toSnapshot(),
                filesFree.toSnapshot()));
    if (nodeNames) {
      out.addAll(List.of(nodeSize.toSnapshot(), nodeAvail.toSnapshot(), nodeFree.toSnapshot()));
    }
    return out;
  }

  private boolean excluded(OSFileStore store) {
    return excludeFstypes.contains(store.getType())
        || excludeMountpoints.stream().anyMatch(p -> p.matcher(store.getMount()).matches());
  }
}
