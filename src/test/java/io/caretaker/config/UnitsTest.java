package io.caretaker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UnitsTest {
  @Test
  void durationsCombineUnitsLikePrometheus() {
    assertThat(Units.parseDuration("5s")).isEqualTo(Duration.ofSeconds(5));
    assertThat(Units.parseDuration("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Units.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Units.parseDuration("7d")).isEqualTo(Duration.ofDays(7));
    assertThat(Units.parseDuration("1w")).isEqualTo(Duration.ofDays(7));
    assertThat(Units.parseDuration("0")).isEqualTo(Duration.ZERO);
  }

  @Test
  void malformedOrNegativeDurationsAreRejected() {
    assertThat(Units.parseDuration("-5s")).isNull();
    assertThat(Units.parseDuration("5")).isNull();
    assertThat(Units.parseDuration("fast")).isNull();
    assertThat(Units.parseDuration("5s extra")).isNull();
    assertThat(Units.parseDuration("")).isNull();
  }

  @Test
  void sizesAcceptBinaryAndDecimalUnits() {
    assertThat(Units.parseBytes("1048576")).isEqualTo(1_048_576L);
    assertThat(Units.parseBytes("1GiB")).isEqualTo(1L << 30);
    assertThat(Units.parseBytes("512MB")).isEqualTo(512_000_000L);
    assertThat(Units.parseBytes("1.5KiB")).isEqualTo(1536L);
    assertThat(Units.parseBytes("-1")).isNull();
    assertThat(Units.parseBytes("1 parsec")).isNull();
  }

  @Test
  void formatWritesDurationsTheWayTheConfigDoes() {
    assertThat(Units.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
    assertThat(Units.format(Duration.ofMillis(1500))).isEqualTo("1s500ms");
    assertThat(Units.format(Duration.ZERO)).isEqualTo("0s");
  }
}
