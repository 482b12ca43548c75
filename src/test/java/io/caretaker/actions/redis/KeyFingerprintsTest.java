package io.caretaker.actions.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The seen-set of a sweep: every key added is found, a key is added once, growth keeps them. */
class KeyFingerprintsTest {
  private static byte[] key(int i) {
    return ("cache:" + i).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void addsEachKeyOnceAndFindsEveryKeyAfterGrowing() {
    KeyFingerprints seen = new KeyFingerprints();
    for (int i = 0; i < 100_000; i++) {
      assertThat(seen.add(key(i))).isTrue();
    }
    for (int i = 0; i < 100_000; i++) {
      assertThat(seen.add(key(i))).isFalse();
      assertThat(seen.contains(key(i))).isTrue();
    }
    assertThat(seen.size()).isEqualTo(100_000);
    assertThat(seen.contains(key(100_000))).isFalse();
  }

  @Test
  void theEmptyKeyIsAKeyLikeAnyOther() {
    KeyFingerprints seen = new KeyFingerprints();
    assertThat(seen.contains(new byte[0])).isFalse();
    assertThat(seen.add(new byte[0])).isTrue();
    assertThat(seen.contains(new byte[0])).isTrue();
  }
}
