package io.caretaker.collect;

import static io.caretaker.collect.Samples.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import oshi.SystemInfo;

/** The real collectors on this machine: exclusions from config, values against the kernel's. */
class HostCollectorsTest {
  private static final SystemInfo SYSTEM = new SystemInfo();

  private static MetricSnapshots run(Collector c) throws Exception {
    List<MetricSnapshot> metrics = c.collect();
    return new MetricSnapshots(metrics);
  }

  private static long series(MetricSnapshots metrics, String name) {
    return metrics.stream()
        .filter(m -> m.getMetadata().getPrometheusName().equals(name))
        .mapToLong(m -> m.getDataPoints().size())
        .sum();
  }

  @Test
  void excludedFstypesAndMountpointsAreLeftOut() throws Exception {
    FileStore store = Files.getFileStore(Path.of(".").toAbsolutePath());
    long all =
        series(
            run(new FilesystemCollector(List.of(), List.of(), false)),
            "host_filesystem_size_bytes");
    long withoutType =
        series(
            run(new FilesystemCollector(List.of(store.type()), List.of(), false)),
            "host_filesystem_size_bytes");
    long none =
        series(
            run(new FilesystemCollector(List.of(), List.of(Pattern.compile("/.*")), false)),
            "host_filesystem_size_bytes");
    assertThat(all).isPositive();
    assertThat(withoutType).isLessThan(all);
    assertThat(none).isZero();
  }

  @Test
  void loopbackIsExcludedByDefaultAndCanBeIncluded() throws Exception {
    var hw = SYSTEM.getHardware();
    var without = run(new NetworkCollector(hw, List.of(Pattern.compile("lo"))));
    var with = run(new NetworkCollector(hw, List.of()));
    assertThat(value(without, "host_network_receive_bytes_total", "interface", "lo")).isEmpty();
    assertThat(value(with, "host_network_receive_bytes_total", "interface", "lo")).isPresent();
    assertThat(value(with, "host_network_errors_total", "direction", "receive", "interface", "lo"))
        .isPresent();
  }

  @Test
  void cpuSecondsOnlyGrowAndUtilizationIsARatio() throws Exception {
    CpuCollector cpu = new CpuCollector(SYSTEM.getHardware().getProcessor());
    double idleBefore = value(run(cpu), "host_cpu_seconds_total", "mode", "idle").orElseThrow();
    // Longer than OSHI's 300 ms memoization of tick readings.
    long busyUntil = System.nanoTime() + 500_000_000L;
    while (System.nanoTime() < busyUntil) {
      Thread.onSpinWait();
    }
    MetricSnapshots after = run(cpu);
    assertThat(value(after, "host_cpu_seconds_total", "mode", "idle").orElseThrow())
        .isGreaterThanOrEqualTo(idleBefore);
    assertThat(value(after, "host_cpu_seconds_total", "mode", "user").orElseThrow()).isPositive();
    assertThat(value(after, "host_cpu_utilization_ratio").orElseThrow())
        .isBetween(0.0, 1.0)
        .isPositive();
  }

  @Test
  void fileDescriptorsMatchTheKernel() throws Exception {
    // procfs reports odd sizes, so Files.readString can truncate; read lines instead.
    String[] fileNr = Files.readAllLines(Path.of("/proc/sys/fs/file-nr")).get(0).split("\\s+");
    var metrics = run(new SystemCollector(SYSTEM.getOperatingSystem()));
    assertThat(value(metrics, "host_file_descriptors_max").orElseThrow())
        .isEqualTo(Double.parseDouble(fileNr[2]));
    assertThat(value(metrics, "host_processes").orElseThrow()).isGreaterThan(1);
    assertThat(value(metrics, "host_threads").orElseThrow())
        .isGreaterThanOrEqualTo(value(metrics, "host_processes").orElseThrow());
  }
}
