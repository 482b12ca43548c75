package io.caretaker.actions.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Redis's stringmatchlen semantics, without a Redis (RedisCleanupIT compares with Redis). */
class RedisGlobTest {
  private static boolean matches(String glob, String key) {
    return new RedisGlob(glob).matches(key.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void starQuestionMarkAndClassesMatchAsRedisDoes() {
    assertThat(matches("cache:*", "cache:")).isTrue();
    assertThat(matches("cache:*", "cache:a:b")).isTrue();
    assertThat(matches("cache:*", "Cache:a")).isFalse();
    assertThat(matches("h?llo", "hallo")).isTrue();
    assertThat(matches("h?llo", "hllo")).isFalse();
    assertThat(matches("h[ae]llo", "hello")).isTrue();
    assertThat(matches("h[^e]llo", "hello")).isFalse();
    assertThat(matches("h[a-c]llo", "hbllo")).isTrue();
    assertThat(matches("*pos*", "md:position:1")).isTrue();
  }

  @Test
  void aBackslashMakesTheNextCharacterLiteral() {
    assertThat(matches("a\\*b", "a*b")).isTrue();
    assertThat(matches("a\\*b", "axb")).isFalse();
  }

  @Test
  void manyStarsOnALongKeyEndQuickly() {
    assertThat(matches("*a*a*a*a*a*a*a*a*a*a*b", "a".repeat(10_000))).isFalse();
  }

  @Test
  void globsWithDifferentLiteralPrefixesAreDisjoint() {
    assertThat(new RedisGlob("cache:*").disjointFrom(new RedisGlob("position:*"))).isTrue();
    assertThat(new RedisGlob("cache:*").disjointFrom(new RedisGlob("cache:pos:*"))).isFalse();
    assertThat(new RedisGlob("*:x").disjointFrom(new RedisGlob("cache:*"))).isFalse();
  }
}
