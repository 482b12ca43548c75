package io.caretaker.collect;

import io.caretaker.metrics.Family;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * node_exporter's names for what Grafana dashboard 1860 ("Node Exporter Full") reads in its first
 * two rows, so that dashboard works unchanged against caretaker ({@code collect.node_compat}):
 * node_uname_info, node_cpu_seconds_total by cpu and mode, node_load1/5/15, every
 * node_memory_*_bytes of /proc/meminfo, node_network_*_bytes_total, node_boot_time_seconds,
 * node_time_seconds and node_pressure_*. The filesystem series come from the filesystem collector
 * (one statfs per mount, not two). Read from /proc as node_exporter reads them.
 */
public final class NodeCompatCollector implements Collector {
  /** /proc/stat's cpu columns, in order, as node_exporter names the modes. */
  private static final String[] MODES = {
    "user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"
  };

  /** The kernel's clock ticks per second for /proc/stat (USER_HZ: 100 on every Linux ABI). */
  private static final double USER_HZ = 100;

  private final ProcFiles proc;
  private final Clock clock;
  private final List<Pattern> excludeInterfaces;

  public NodeCompatCollector(Clock clock, List<Pattern> excludeInterfaces) {
    this(ProcFiles.system(), clock, excludeInterfaces);
  }

  NodeCompatCollector(ProcFiles proc, Clock clock, List<Pattern> excludeInterfaces) {
    this.proc = proc;
    this.clock = clock;
    this.excludeInterfaces = List.copyOf(excludeInterfaces);
  }

  @Override
  public String name() {
    return "node_compat";
  }

  @Override
  public List<MetricSnapshot> collect() {
    List<MetricSnapshot> out = new ArrayList<>();
    out.add(uname());
    out.add(cpu());
    String[] load = String.join(" ", proc.lines("loadavg")).trim().split("\\s+");
    for (int i = 0; i < 3 && load.length >= 3; i++) {
      String name = "node_load" + new String[] {"1", "5", "15"}[i];
      out.add(Family.gauge(name, "Load average.").add(Double.parseDouble(load[i])).toSnapshot());
    }
    meminfo(out);
    out.addAll(network());
    Double boot = proc.pairs("stat").get("btime");
    if (boot != null) {
      out.add(Family.gauge("node_boot_time_seconds", "Boot time.").add(boot).toSnapshot());
    }
    out.add(
        Family.gauge("node_time_seconds", "The system time in seconds since the epoch.")
            .add(clock.millis() / 1000.0)
            .toSnapshot());
    for (String r : List.of("cpu", "memory", "io")) {
      Map<String, Double> p = proc.pressure(r);
      if (p.containsKey("some")) {
        out.add(
            Family.counter("node_pressure_" + r + "_waiting_seconds_total", "PSI some, " + r + ".")
                .add(p.get("some"))
                .toSnapshot());
      }
      if (p.containsKey("full") && !r.equals("cpu")) {
        out.add(
            Family.counter("node_pressure_" + r + "_stalled_seconds_total", "PSI full, " + r + ".")
                .add(p.get("full"))
                .toSnapshot());
      }
    }
    return out;
  }

  private MetricSnapshot uname() {
    String[] labels = {"sysname", "release", "version", "machine", "nodename", "domainname"};
    return Family.gauge("node_uname_info", "Labeled system information as uname shows it.", labels)
        .add(
            1,
            first("sys/kernel/ostype"),
            first("sys/kernel/osrelease"),
            first("sys/kernel/version"),
            System.getProperty("os.arch").equals("amd64")
                ? "x86_64"
                : System.getProperty("os.arch"),
            first("sys/kernel/hostname"),
            first("sys/kernel/domainname"))
        .toSnapshot();
  }

  private String first(String file) {
    List<String> lines = proc.lines(file);
    return lines.isEmpty() ? "" : lines.get(0).trim();
  }

  private MetricSnapshot cpu() {
    Family seconds =
        Family.counter(
            "node_cpu_seconds_total", "Seconds the CPUs spent in each mode.", "cpu", "mode");
    for (String line : proc.lines("stat")) {
      if (line.startsWith("cpu") && !line.startsWith("cpu ")) {
        String[] f = line.trim().split("\\s+");
        String cpu = f[0].substring(3);
        for (int m = 0; m < MODES.length && m + 1 < f.length; m++) {
          seconds.add(Double.parseDouble(f[m + 1]) / USER_HZ, cpu, MODES[m]);
        }
      }
    }
    return seconds.toSnapshot();
  }

  /** Every /proc/meminfo field: "Active(anon)" becomes node_memory_Active_anon_bytes. */
  private void meminfo(List<MetricSnapshot> out) {
    for (ProcFiles.MemField f : proc.meminfoFields()) {
      String field = f.name().replace("(", "_").replace(")", "");
      out.add(
          Family.gauge(
                  "node_memory_" + field + (f.bytes() ? "_bytes" : ""),
                  "Memory information field " + field + ".")
              .add(f.value())
              .toSnapshot());
    }
  }

  /** /proc/net/dev: "iface: rx_bytes ... (8 receive columns) tx_bytes ...". */
  private List<MetricSnapshot> network() {
    Family rx = Family.counter("node_network_receive_bytes_total", "Bytes received.", "device");
    Family tx = Family.counter("node_network_transmit_bytes_total", "Bytes sent.", "device");
    for (String line : proc.lines("net/dev")) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String device = line.substring(0, colon).trim();
      if (excludeInterfaces.stream().anyMatch(p -> p.matcher(device).matches())) {
        continue;
      }
      String[] f = line.substring(colon + 1).trim().split("\\s+");
      if (f.length >= 9) {
        rx.add(Double.parseDouble(f[0]), device);
        tx.add(Double.parseDouble(f[8]), device);
      }
    }
    return List.of(rx.toSnapshot(), tx.toSnapshot());
  }
}
