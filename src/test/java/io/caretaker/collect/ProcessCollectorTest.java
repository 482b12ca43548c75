package io.caretaker.collect;

import static io.caretaker.collect.Samples.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.caretaker.config.TradingConfig.ProcessMatch;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;
import java.util.regex.Pattern;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import oshi.SystemInfo;

class ProcessCollectorTest {
  @Test
  void findsTheComponentAndFindsItAgainAfterARestart() throws Exception {
    String marker = "3" + System.nanoTime() % 100_000; // a sleep length no other process has
    ProcessCollector collector =
        new ProcessCollector(
            new SystemInfo().getOperatingSystem(),
            List.of(new ProcessMatch("feed", Pattern.compile("^sleep " + marker + "$"))));
    MetricSnapshots none = new MetricSnapshots(collector.collect());
    assertThat(value(none, "trading_process_up", "component", "feed")).hasValue(0);

    Process first = new ProcessBuilder("sleep", marker).start();
    try {
      MetricSnapshots m = new MetricSnapshots(collector.collect());
      assertThat(value(m, "trading_process_up", "component", "feed")).hasValue(1);
      assertThat(
              value(m, "trading_process_resident_memory_bytes", "component", "feed").orElseThrow())
          .isPositive();
      assertThat(value(m, "trading_process_threads", "component", "feed")).hasValue(1);
      assertThat(value(m, "trading_process_open_fds", "component", "feed").orElseThrow())
          .isGreaterThanOrEqualTo(3);
      assertThat(value(m, "trading_process_start_time_seconds", "component", "feed").orElseThrow())
          .isCloseTo(
              first.info().startInstant().orElseThrow().getEpochSecond(), Offset.offset(2.0));
    } finally {
      first.destroy();
      first.waitFor();
    }
    assertThat(
            value(
                new MetricSnapshots(collector.collect()),
                "trading_process_up",
                "component",
                "feed"))
        .hasValue(0);

    Process second = new ProcessBuilder("sleep", marker).start();
    try {
      assertThat(
              value(
                  new MetricSnapshots(collector.collect()),
                  "trading_process_up",
                  "component",
                  "feed"))
          .hasValue(1);
    } finally {
      second.destroy();
      second.waitFor();
    }
  }
}
