package io.caretaker.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Duration;

/**
 * Durations and sizes: any text parses to a value within bounds or to null (a config problem),
 * never an exception or an overflow; a parsed duration survives {@link Units#format}.
 */
class UnitsFuzzTest {
  @FuzzTest
  void durationsAndSizes(FuzzedDataProvider data) {
    String text = data.consumeRemainingAsString();
    Duration d = Units.parseDuration(text);
    if (d != null) {
      assertThat(d).isBetween(Duration.ZERO, Units.MAX_DURATION);
      assertThat(Units.parseDuration(Units.format(d))).isEqualTo(d);
    }
    Long bytes = Units.parseBytes(text);
    if (bytes != null) {
      assertThat(bytes).isNotNegative();
    }
  }
}
