package io.caretaker.actions.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How the TIMEs around each group become holds (HoldTimerIT times real groups). */
class HoldTimerTest {
  private static final long T = 1_700_000_000_000_000L; // some microsecond on Redis's clock

  @Test
  void aGroupAloneHoldsRedisFromItsFirstTimeToItsLast() {
    HoldTimer.Holds holds = new HoldTimer.Holds();
    assertThat(holds.next(T, T + 800)).isEqualTo(800_000);
    assertThat(holds.next(T + 900, T + 1_300))
        .as("100 µs later: Redis served others between")
        .isEqualTo(400_000);
  }

  @Test
  void groupsRedisRanBackToBackAreOneHold() {
    assertThat(HoldTimer.BACK_TO_BACK_MICROS).isEqualTo(5);
    HoldTimer.Holds holds = new HoldTimer.Holds();
    assertThat(holds.next(T, T + 800)).isEqualTo(800_000);
    assertThat(holds.next(T + 805, T + 1_500)).isEqualTo(1_500_000);
    assertThat(holds.next(T + 1_502, T + 2_000)).isEqualTo(2_000_000);
    assertThat(holds.next(T + 2_006, T + 2_100)).as("6 µs between: a new hold").isEqualTo(94_000);
  }

  @Test
  void theFirstGroupStartsAHoldWhateverTheClockSays() {
    HoldTimer.Holds holds = new HoldTimer.Holds();
    assertThat(holds.next(3, 10)).isEqualTo(7_000);
  }
}
