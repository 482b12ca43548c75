package io.caretaker.collect;

import io.caretaker.metrics.Family;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The kernel's activity counters: context switches, interrupts, forks and runnable or blocked
 * processes (/proc/stat), page faults and OOM kills (/proc/vmstat), memory detail (/proc/meminfo:
 * buffers, page cache, dirty and writeback pages, slab), and TCP: connections by state
 * (/proc/net/tcp, tcp6) and retransmitted segments (/proc/net/snmp).
 */
public final class KernelCollector implements Collector {
  /** /proc/net/tcp's hex state codes, in the kernel's order (include/net/tcp_states.h). */
  private static final String[] TCP_STATES = {
    "",
    "established",
    "syn_sent",
    "syn_recv",
    "fin_wait1",
    "fin_wait2",
    "time_wait",
    "close",
    "close_wait",
    "last_ack",
    "listen",
    "closing"
  };

  private static final String[][] MEMINFO = {
    {"Buffers", "host_memory_buffers_bytes", "Memory in block device buffers."},
    {"Cached", "host_memory_cached_bytes", "Memory in the page cache."},
    {"Dirty", "host_memory_dirty_bytes", "Memory waiting to be written back to disk."},
    {"Writeback", "host_memory_writeback_bytes", "Memory being written back to disk now."},
    {"Slab", "host_memory_slab_bytes", "Kernel slab memory."},
    {"SReclaimable", "host_memory_slab_reclaimable_bytes", "Slab memory the kernel can reclaim."}
  };

  private final ProcFiles proc;

  public KernelCollector() {
    this(ProcFiles.system());
  }

  KernelCollector(ProcFiles proc) {
    this.proc = proc;
  }

  @Override
  public String name() {
    return "kernel";
  }

  @Override
  public List<MetricSnapshot> collect() {
    List<MetricSnapshot> out = new ArrayList<>();
    Map<String, Double> stat = proc.pairs("stat");
    counter(out, stat, "ctxt", "host_context_switches_total", "Context switches.");
    counter(out, stat, "intr", "host_interrupts_total", "Interrupts serviced.");
    counter(out, stat, "processes", "host_forks_total", "Processes and threads created.");
    gauge(out, stat, "procs_running", "host_procs_running", "Processes runnable now.");
    gauge(out, stat, "procs_blocked", "host_procs_blocked", "Processes blocked on I/O now.");
    Map<String, Double> vmstat = proc.pairs("vmstat");
    counter(out, vmstat, "pgfault", "host_page_faults_total", "Page faults, minor and major.");
    counter(
        out, vmstat, "pgmajfault", "host_major_page_faults_total", "Page faults that read disk.");
    counter(out, vmstat, "oom_kill", "host_oom_kills_total", "Processes the OOM killer killed.");
    Map<String, Double> meminfo = proc.meminfo();
    for (String[] m : MEMINFO) {
      gauge(out, meminfo, m[0], m[1], m[2]);
    }
    out.addAll(tcp());
    return out;
  }

  private List<MetricSnapshot> tcp() {
    long[] counts = new long[TCP_STATES.length];
    boolean any = false;
    for (String file : List.of("net/tcp", "net/tcp6")) {
      List<String> lines = proc.lines(file);
      any |= !lines.isEmpty();
      for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 3) {
          int state = Integer.parseInt(f[3], 16);
          if (state > 0 && state < counts.length) {
            counts[state]++;
          }
        }
      }
    }
    List<MetricSnapshot> out = new ArrayList<>();
    if (any) {
      Family states = Family.gauge("host_tcp_connections", "TCP sockets by state.", "state");
      for (int i = 1; i < counts.length; i++) {
        states.add(counts[i], TCP_STATES[i]);
      }
      out.add(states.toSnapshot());
    }
    List<String> snmp = proc.lines("net/snmp");
    for (int i = 0; i + 1 < snmp.size(); i++) {
      if (snmp.get(i).startsWith("Tcp:") && snmp.get(i + 1).startsWith("Tcp:")) {
        List<String> names = List.of(snmp.get(i).split("\\s+"));
        String[] values = snmp.get(i + 1).split("\\s+");
        int at = names.indexOf("RetransSegs");
        if (at > 0 && at < values.length) {
          out.add(
              Family.counter("host_tcp_retransmitted_segments_total", "TCP segments sent again.")
                  .add(Double.parseDouble(values[at]))
                  .toSnapshot());
        }
        break;
      }
    }
    return out;
  }

  private static void counter(
      List<MetricSnapshot> out, Map<String, Double> from, String key, String name, String help) {
    Double v = from.get(key);
    if (v != null) {
      out.add(Family.counter(name, help).add(v).toSnapshot());
    }
  }

  private static void gauge(
      List<MetricSnapshot> out, Map<String, Double> from, String key, String name, String help) {
    Double v = from.get(key);
    if (v != null) {
      out.add(Family.gauge(name, help).add(v).toSnapshot());
    }
  }
}
