package io.caretaker.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LatencyPacerTest {
  private static final long MS = 1_000_000;

  @Test
  void commandsWellUnderHalfTheTargetKeepTheConfiguredSize() {
    LatencyPacer pacer = new LatencyPacer(1000, Duration.ofMillis(2));
    for (int i = 0; i < 100; i++) {
      assertThat(pacer.observe(MS / 2)).isZero();
    }
    assertThat(pacer.batch()).isEqualTo(1000);
  }

  @Test
  void aboveHalfTheTargetTheSizeShrinksInProportionWithoutPausing() {
    LatencyPacer pacer = new LatencyPacer(1000, Duration.ofMillis(2));
    assertThat(pacer.observe(2 * MS)).isZero(); // at the target, not above it
    assertThat(pacer.batch()).isEqualTo(500);
    assertThat(pacer.observe(MS * 5 / 4)).isZero();
    assertThat(pacer.batch()).isEqualTo(400);
  }

  @Test
  void aboveTheTargetTheSizeHalvesAndTheRunPausesForTheOvershoot() {
    LatencyPacer pacer = new LatencyPacer(1000, Duration.ofMillis(2));
    assertThat(pacer.observe(5 * MS)).isEqualTo(3 * MS);
    assertThat(pacer.batch()).isEqualTo(500);
    assertThat(pacer.observe(10_000 * MS)).isEqualTo(100 * MS); // the pause is capped
    assertThat(pacer.batch()).isEqualTo(250);
    for (int i = 0; i < 20; i++) {
      pacer.observe(10_000 * MS);
    }
    assertThat(pacer.batch()).isEqualTo(LatencyPacer.MIN_BATCH);
  }

  @Test
  void fastCommandsGrowTheSizeBackToTheConfiguredOneAndNoFurther() {
    LatencyPacer pacer = new LatencyPacer(1000, Duration.ofMillis(2));
    pacer.observe(40 * MS);
    pacer.observe(40 * MS);
    assertThat(pacer.batch()).isEqualTo(250);
    pacer.observe(MS / 10);
    assertThat(pacer.batch()).isEqualTo(350); // a tenth of the configured size per command
    for (int i = 0; i < 20; i++) {
      pacer.observe(MS / 10);
    }
    assertThat(pacer.batch()).isEqualTo(1000);
  }

  @Test
  void theRecordReportsBothKindsOfCommandTogether() {
    LatencyPacer scan = new LatencyPacer(1000, Duration.ofMillis(2));
    LatencyPacer delete = new LatencyPacer(1000, Duration.ofMillis(2));
    for (int i = 0; i < 98; i++) {
      scan.observe(MS / 2);
    }
    delete.observe(3 * MS);
    delete.observe(7 * MS);
    Map<String, Object> details = new LinkedHashMap<>();
    LatencyPacer.report(details, scan, delete);
    assertThat(details)
        .containsEntry("commands", 100L)
        .containsEntry("command_time_p99_ms", 3.05) // the 99th of 100, to the 0.05 ms bucket
        .containsEntry("command_time_max_ms", 7.0)
        .containsEntry("commands_throttled", 2L)
        .containsEntry("final_scan_count", 1000)
        .containsEntry("final_batch", 250);
  }
}
