package io.caretaker.collect;

import com.sun.jna.platform.linux.LibC;
import io.caretaker.metrics.Family;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Size, free space and inodes of mounted filesystems, minus excluded types and mountpoints, read as
 * node_exporter reads them: the mount table from /proc/self/mounts, then one statvfs(2) per
 * mountpoint. (OSHI's file stores ran {@code lsblk} as a child process every cycle for volume
 * labels caretaker never showed: a fork, ten PATH lookups and about 900 file opens each 5 s.)
 * Kernel pseudo filesystems, /proc, /sys, /run and /dev are left out, as are filesystems of size 0.
 * The used ratio is df's Use%: used / (used + available to unprivileged users).
 */
public final class FilesystemCollector implements Collector {
  private static final String[] LABELS = {"mountpoint", "fstype", "device"};
  private static final String[] NODE_LABELS = {"device", "fstype", "mountpoint"};
  // Filesystems that hold no storage of their own. (overlay does, under a container's root: it is
  // in
  // collect.filesystems.exclude_fstypes by default, where a user can take it out.)
  private static final Set<String> PSEUDO_FSTYPES =
      Set.of(
          "anon_inodefs",
          "autofs",
          "bdev",
          "binfmt_misc",
          "bpf",
          "cgroup",
          "cgroup2",
          "configfs",
          "cpuset",
          "dax",
          "debugfs",
          "devpts",
          "devtmpfs",
          "drm",
          "efivarfs",
          "fusectl",
          "hugetlbfs",
          "mqueue",
          "nfsd",
          "nsfs",
          "proc",
          "pstore",
          "rootfs",
          "rpc_pipefs",
          "securityfs",
          "selinuxfs",
          "sysfs",
          "tracefs",
          "usbfs");
  private static final Pattern SYSTEM_MOUNTPOINTS =
      Pattern.compile("/dev|(/proc|/sys|/run)(/.*)?|.*/shm");

  private final ProcFiles proc;
  private final List<String> excludeFstypes;
  private final List<Pattern> excludeMountpoints;
  private final boolean nodeNames;

  /** {@code nodeNames}: node_exporter's node_filesystem_* too (collect.node_compat). */
  public FilesystemCollector(
      List<String> excludeFstypes, List<Pattern> excludeMountpoints, boolean nodeNames) {
    this(ProcFiles.system(), excludeFstypes, excludeMountpoints, nodeNames);
  }

  FilesystemCollector(
      ProcFiles proc,
      List<String> excludeFstypes,
      List<Pattern> excludeMountpoints,
      boolean nodeNames) {
    this.proc = proc;
    this.excludeFstypes = List.copyOf(excludeFstypes);
    this.excludeMountpoints = List.copyOf(excludeMountpoints);
    this.nodeNames = nodeNames;
  }

  @Override
  public String name() {
    return "filesystem";
  }

  /** One filesystem's statvfs figures, in bytes and inodes. */
  private record Usage(long size, long free, long avail, long files, long filesFree) {}

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
    Family nodeSize =
        Family.gauge("node_filesystem_size_bytes", "Filesystem size in bytes.", NODE_LABELS);
    Family nodeAvail =
        Family.gauge(
            "node_filesystem_avail_bytes", "Space available to non-root users.", NODE_LABELS);
    Family nodeFree = Family.gauge("node_filesystem_free_bytes", "Free space.", NODE_LABELS);
    LibC.Statvfs buffer = new LibC.Statvfs();
    for (ProcFiles.Mount mount : mounted()) {
      Usage u = usage(mount.mountpoint(), buffer);
      if (u == null || u.size() <= 0) {
        continue;
      }
      String[] labels = {mount.mountpoint(), mount.fstype(), mount.device()};
      long usedBytes = u.size() - u.free();
      size.add(u.size(), labels);
      avail.add(u.avail(), labels);
      used.add(
          usedBytes + u.avail() == 0 ? 0 : (double) usedBytes / (usedBytes + u.avail()), labels);
      files.add(u.files(), labels);
      filesFree.add(u.filesFree(), labels);
      nodeSize.add(u.size(), mount.device(), mount.fstype(), mount.mountpoint());
      nodeAvail.add(u.avail(), mount.device(), mount.fstype(), mount.mountpoint());
      nodeFree.add(u.free(), mount.device(), mount.fstype(), mount.mountpoint());
    }
    List<MetricSnapshot> out =
        new ArrayList<>(
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

  /**
   * The mounts to report, one per mountpoint: where two filesystems are mounted on one path, only
   * the later one (the one on top, the one statvfs sees) is, and only if it is not excluded.
   */
  private List<ProcFiles.Mount> mounted() {
    Map<String, ProcFiles.Mount> byMountpoint = new LinkedHashMap<>();
    for (ProcFiles.Mount mount : proc.mounts()) {
      byMountpoint.remove(mount.mountpoint());
      byMountpoint.put(mount.mountpoint(), mount);
    }
    return byMountpoint.values().stream().filter(m -> !excluded(m)).toList();
  }

  private boolean excluded(ProcFiles.Mount mount) {
    return PSEUDO_FSTYPES.contains(mount.fstype())
        || SYSTEM_MOUNTPOINTS.matcher(mount.mountpoint()).matches()
        || excludeFstypes.contains(mount.fstype())
        || excludeMountpoints.stream().anyMatch(p -> p.matcher(mount.mountpoint()).matches());
  }

  /** statvfs(2) of {@code path}, or null when it fails (unmounted since the table was read). */
  private static Usage usage(String path, LibC.Statvfs s) {
    if (LibC.INSTANCE.statvfs(path, s) != 0) {
      return null;
    }
    long fragment = s.f_frsize.longValue();
    return new Usage(
        s.f_blocks.longValue() * fragment,
        s.f_bfree.longValue() * fragment,
        s.f_bavail.longValue() * fragment,
        s.f_files.longValue(),
        s.f_ffree.longValue());
  }
}
