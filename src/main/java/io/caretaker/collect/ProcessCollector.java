package io.caretaker.collect;

import io.caretaker.config.TradingConfig.ProcessMatch;
import io.caretaker.metrics.Family;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import oshi.software.os.OSProcess;
import oshi.software.os.OperatingSystem;

/**
 * Per configured trading component: whether its process runs, and its CPU, memory, open files,
 * threads and start time. The process is found by a regex on its command line (the oldest match, so
 * a helper child does not win); its pid is remembered and checked each cycle, and the full process
 * list is read only when a component is missing or was restarted.
 */
public final class ProcessCollector implements Collector {
  private final OperatingSystem os;
  private final List<ProcessMatch> processes;
  private final Map<String, Integer> knownPids = new HashMap<>();
  private final int self = (int) ProcessHandle.current().pid();

  public ProcessCollector(OperatingSystem os, List<ProcessMatch> processes) {
    this.os = os;
    this.processes = List.copyOf(processes);
  }

  @Override
  public String name() {
    return "trading_processes";
  }

  @Override
  // Long on purpose: one pass over the processes, building each family as it goes.
  public synchronized List<MetricSnapshot> collect() {
    Family up =
        Family.gauge("trading_process_up", "1 when the component's process runs.", "component");
    Family cpu =
        Family.counter(
            "trading_process_cpu_seconds_total",
            "CPU time of the component's process, user and system.",
            "component");
    Family rss =
        Family.gauge(
            "trading_process_resident_memory_bytes",
            "Resident memory of the component's process.",
            "component");
    Family fds =
        Family.gauge(
            "trading_process_open_fds",
            "Open file descriptors of the component's process.",
            "component");
    Family maxFds =
        Family.gauge(
            "trading_process_max_fds",
            "The component's process's open-files limit (soft RLIMIT_NOFILE).",
            "component");
    Family threads =
        Family.gauge("trading_process_threads", "Threads of the component's process.", "component");
    Family start =
        Family.gauge(
            "trading_process_start_time_seconds",
            "When the component's process started, unix seconds.",
            "component");
    List<OSProcess> all = null;
    for (ProcessMatch m : processes) {
      OSProcess p = known(m);
      if (p == null) {
        all = all != null ? all : os.getProcesses();
        p =
            all.stream()
                .filter(candidate -> matches(m, candidate))
                .min(Comparator.comparingLong(OSProcess::getStartTime))
                .orElse(null);
      }
      up.add(p == null ? 0 : 1, m.component());
      if (p == null) {
        knownPids.remove(m.component());
        continue;
      }
      knownPids.put(m.component(), p.getProcessID());
      cpu.add((p.getKernelTime() + p.getUserTime()) / 1000.0, m.component());
      rss.add(p.getResidentSetSize(), m.component());
      fds.add(p.getOpenFiles(), m.component());
      long limit = p.getSoftOpenFileLimit();
      if (limit > 0) {
        maxFds.add(limit, m.component());
      }
      threads.add(p.getThreadCount(), m.component());
      start.add(p.getStartTime() / 1000.0, m.component());
    }
    return List.of(
        up.toSnapshot(),
        cpu.toSnapshot(),
        rss.toSnapshot(),
        fds.toSnapshot(),
        maxFds.toSnapshot(),
        threads.toSnapshot(),
        start.toSnapshot());
  }

  /** The remembered process, if it still runs and still matches (a reused pid would not). */
  private OSProcess known(ProcessMatch m) {
    Integer pid = knownPids.get(m.component());
    OSProcess p = pid == null ? null : os.getProcess(pid);
    return p != null && matches(m, p) ? p : null;
  }

  private boolean matches(ProcessMatch m, OSProcess p) {
    return p.getProcessID() != self && m.match().matcher(p.getCommandLine()).find();
  }
}
