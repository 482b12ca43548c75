package io.caretaker.collect;

import static io.caretaker.collect.Samples.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The /proc-based collectors on a copy of /proc written by the test (exact values, as the kernel
 * formats them) and on the real one (between two readings of the same counter, since the kernel
 * goes on counting).
 */
class ProcCollectorsTest {
  @TempDir Path proc;

  private void write(String file, String text) throws Exception {
    Path p = proc.resolve(file);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  private void fakeProc() throws Exception {
    write(
        "stat",
        """
        cpu  300 10 200 5000 40 0 6 0 0 0
        cpu0 100 5 100 2500 20 0 3 0 0 0
        cpu1 200 5 100 2500 20 0 3 0 0 0
        intr 123456 0 9 0
        ctxt 987654
        btime 1764660000
        processes 4242
        procs_running 3
        procs_blocked 1
        """);
    write("vmstat", "pgfault 1000\npgmajfault 7\noom_kill 2\n");
    write(
        "meminfo",
        """
        MemTotal:       16000000 kB
        MemFree:         1000000 kB
        MemAvailable:    8000000 kB
        Buffers:          200000 kB
        Cached:          4000000 kB
        Dirty:               128 kB
        Writeback:             0 kB
        Slab:             300000 kB
        SReclaimable:     250000 kB
        Active(anon):     100000 kB
        HugePages_Total:       0
        """);
    write("pressure/cpu", "some avg10=0.00 avg60=0.00 avg300=0.00 total=1500000\n");
    write(
        "pressure/memory",
        """
        some avg10=0.00 avg60=0.00 avg300=0.00 total=250000
        full avg10=0.00 avg60=0.00 avg300=0.00 total=125000
        """);
    write(
        "net/tcp",
        """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid
           0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0
           1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0
           2: 0100007F:C350 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0
           3: 0100007F:C351 0100007F:1F90 06 00000000:00000000 00:00000000 00000000     0
        """);
    write(
        "net/snmp",
        """
        Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors
        Tcp: 1 200 120000 -1 10 20 0 0 2 1000 900 17 0 3 0
        """);
    write("loadavg", "0.52 0.40 0.31 2/300 4242\n");
    write(
        "net/dev",
        """
        Inter-|   Receive                                                |  Transmit
         face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
            lo:    5000      50    0    0    0     0          0         0     5000      50    0    0    0     0       0          0
          eth0: 1234567    1000    0    0    0     0          0         0   765432     900    0    0    0     0       0          0
        """);
    write("sys/kernel/ostype", "Linux\n");
    write("sys/kernel/osrelease", "6.1.0-test\n");
    write("sys/kernel/version", "#1 SMP\n");
    write("sys/kernel/hostname", "trade-01\n");
    write("sys/kernel/domainname", "(none)\n");
  }

  private static MetricSnapshots run(Collector c) throws Exception {
    return new MetricSnapshots(c.collect());
  }

  @Test
  void kernelCountersMemoryDetailAndTcpComeFromTheirFiles() throws Exception {
    fakeProc();
    MetricSnapshots m = run(new KernelCollector(new ProcFiles(proc)));
    assertThat(value(m, "host_context_switches_total")).hasValue(987654);
    assertThat(value(m, "host_interrupts_total")).hasValue(123456);
    assertThat(value(m, "host_procs_blocked")).hasValue(1);
    assertThat(value(m, "host_page_faults_total")).hasValue(1000);
    assertThat(value(m, "host_major_page_faults_total")).hasValue(7);
    assertThat(value(m, "host_oom_kills_total")).hasValue(2);
    assertThat(value(m, "host_memory_dirty_bytes")).hasValue(128 * 1024);
    assertThat(value(m, "host_memory_slab_reclaimable_bytes")).hasValue(250000 * 1024);
    assertThat(value(m, "host_tcp_connections", "state", "established")).hasValue(2);
    assertThat(value(m, "host_tcp_connections", "state", "listen")).hasValue(1);
    assertThat(value(m, "host_tcp_connections", "state", "time_wait")).hasValue(1);
    assertThat(value(m, "host_tcp_connections", "state", "close_wait")).hasValue(0);
    assertThat(value(m, "host_tcp_retransmitted_segments_total")).hasValue(17);
  }

  @Test
  void pressureIsInSecondsAndAbsentWithoutPsi() throws Exception {
    fakeProc();
    MetricSnapshots m = run(new PressureCollector(new ProcFiles(proc)));
    assertThat(value(m, "host_pressure_cpu_waiting_seconds_total")).hasValue(1.5);
    assertThat(value(m, "host_pressure_memory_stalled_seconds_total")).hasValue(0.125);
    assertThat(Samples.has(m, "host_pressure_io_waiting_seconds_total")).isFalse();
    assertThat(run(new PressureCollector(new ProcFiles(proc.resolve("none")))).stream()).isEmpty();
  }

  @Test
  void nodeCompatGivesNodeExportersNamesAndUnits() throws Exception {
    fakeProc();
    Clock clock = Clock.fixed(Instant.parse("2026-12-02T12:00:00Z"), ZoneOffset.UTC);
    MetricSnapshots m =
        run(new NodeCompatCollector(new ProcFiles(proc), clock, List.of(Pattern.compile("lo"))));
    assertThat(value(m, "node_cpu_seconds_total", "cpu", "1", "mode", "user")).hasValue(2.0);
    assertThat(value(m, "node_cpu_seconds_total", "cpu", "0", "mode", "idle")).hasValue(25.0);
    assertThat(value(m, "node_load15")).hasValue(0.31);
    assertThat(value(m, "node_memory_MemAvailable_bytes")).hasValue(8000000.0 * 1024);
    assertThat(value(m, "node_memory_Active_anon_bytes")).hasValue(100000.0 * 1024);
    assertThat(value(m, "node_memory_HugePages_Total")).hasValue(0);
    assertThat(value(m, "node_network_receive_bytes_total", "device", "eth0")).hasValue(1234567);
    assertThat(value(m, "node_network_transmit_bytes_total", "device", "eth0")).hasValue(765432);
    assertThat(value(m, "node_network_receive_bytes_total", "device", "lo")).isEmpty();
    assertThat(value(m, "node_boot_time_seconds")).hasValue(1764660000);
    assertThat(value(m, "node_time_seconds")).hasValue(clock.millis() / 1000.0);
    assertThat(value(m, "node_pressure_memory_waiting_seconds_total")).hasValue(0.25);
    assertThat(Samples.has(m, "node_uname_info")).isTrue();
  }

  @Test
  void onTheRealKernelEachCounterLiesBetweenTwoReadingsOfItsFile() throws Exception {
    ProcFiles real = ProcFiles.system();
    double before = real.pairs("stat").get("ctxt");
    MetricSnapshots m = run(new KernelCollector());
    double after = real.pairs("stat").get("ctxt");
    assertThat(value(m, "host_context_switches_total").orElseThrow()).isBetween(before, after);
    Map<String, Double> meminfo = real.meminfo();
    assertThat(value(m, "host_memory_slab_bytes").orElseThrow())
        .isPositive()
        .isLessThan(meminfo.get("MemTotal"));
    MetricSnapshots t = run(new TimeSyncCollector());
    assertThat(value(t, "host_time_synced").orElseThrow()).isIn(0.0, 1.0);
    assertThat(value(t, "host_time_maxerror_seconds").orElseThrow()).isNotNegative();
    if (Files.exists(Path.of("/proc/pressure/cpu"))) {
      double psiBefore = real.pressure("cpu").get("some");
      double psi =
          value(run(new PressureCollector()), "host_pressure_cpu_waiting_seconds_total")
              .orElseThrow();
      assertThat(psi).isBetween(psiBefore, real.pressure("cpu").get("some"));
    }
  }

  @Test
  void filesystemsComeFromTheMountTableAndStatvfsOncePerMountpoint() throws Exception {
    Path data = Files.createDirectories(proc.resolve("mnt/market data"));
    String escaped = data.toString().replace(" ", "\\040");
    write(
        "self/mounts",
        String.join(
            "\n",
            "/dev/vdb " + escaped + " ext4 rw,relatime 0 0",
            "proc /proc proc rw 0 0",
            "tmpfs /dev/shm tmpfs rw 0 0",
            "/dev/vdc " + escaped + " xfs rw 0 0", // mounted on top of the first
            "/dev/vdd /gone/since/the/table/was/read ext4 rw 0 0",
            ""));
    FilesystemCollector fs =
        new FilesystemCollector(new ProcFiles(proc), List.of(), List.of(), true);
    MetricSnapshots m = run(fs);
    java.nio.file.FileStore store = Files.getFileStore(data);
    String[] labels = {"mountpoint", data.toString(), "fstype", "xfs", "device", "/dev/vdc"};
    assertThat(value(m, "host_filesystem_size_bytes", labels)).hasValue(store.getTotalSpace());
    assertThat(
            value(
                m,
                "node_filesystem_size_bytes",
                "device",
                "/dev/vdc",
                "fstype",
                "xfs",
                "mountpoint",
                data.toString()))
        .hasValue(store.getTotalSpace());
    assertThat(value(m, "host_filesystem_files", labels).orElseThrow()).isPositive();
    assertThat(m.stream().mapToInt(s -> s.getDataPoints().size()).distinct()).containsExactly(1);
    assertThat(
            run(new FilesystemCollector(new ProcFiles(proc), List.of("xfs"), List.of(), false))
                .stream()
                .mapToInt(s -> s.getDataPoints().size())
                .sum())
        .as("the mountpoint's filesystem is xfs, excluded; the one under it is not reported")
        .isZero();
  }

  @Test
  void diskBytesAreDiskstatsSectorsOfWholeDisksWithAMedium() throws Exception {
    write(
        "diskstats",
        """
         253       0 vda 1000 10 2048 500 300 20 4096 900 0 800 1400 0 0 0 0
         253       1 vda1 900 10 2000 400 300 20 4096 900 0 700 1300 0 0 0 0
           7       0 loop0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
        """);
    Path sys = proc.resolve("sys-block");
    Files.createDirectories(sys.resolve("vda"));
    Files.writeString(sys.resolve("vda/size"), "524288000\n");
    Files.createDirectories(sys.resolve("loop0"));
    Files.writeString(sys.resolve("loop0/size"), "0\n");
    MetricSnapshots m = run(new DiskCollector(new ProcFiles(proc), sys));
    assertThat(value(m, "host_disk_read_bytes_total", "device", "vda")).hasValue(2048 * 512);
    assertThat(value(m, "host_disk_written_bytes_total", "device", "vda")).hasValue(4096 * 512);
    assertThat(value(m, "host_disk_read_bytes_total", "device", "vda1"))
        .as("a partition")
        .isEmpty();
    assertThat(value(m, "host_disk_read_bytes_total", "device", "loop0")).as("no medium").isEmpty();
  }
}
