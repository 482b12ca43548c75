package io.caretaker.actions.redis;

import java.nio.charset.StandardCharsets;

/**
 * A Redis glob pattern ({@code *}, {@code ?}, {@code [a-z]}, {@code [^x]}, {@code \} escapes),
 * matched over a key's bytes exactly as Redis's own {@code stringmatchlen} does, so that {@code
 * protect} means the same here as {@code MATCH} means to Redis. RedisGlobIT checks the two agree on
 * generated keys and patterns.
 */
final class RedisGlob {
  private final byte[] pattern;
  private final String text;

  RedisGlob(String pattern) {
    this.text = pattern;
    this.pattern = pattern.getBytes(StandardCharsets.UTF_8);
  }

  byte[] bytes() {
    return pattern.clone();
  }

  boolean matches(byte[] key) {
    return match(0, key, 0, new boolean[1]);
  }

  /**
   * True when no key can match both globs. Every key a glob matches starts with its literal prefix
   * (the bytes before the first {@code * ? [ \}), so two globs whose prefixes differ within the
   * shorter one cannot share a key. False says only that this test cannot tell.
   */
  boolean disjointFrom(RedisGlob other) {
    int common = Math.min(literalPrefix(), other.literalPrefix());
    for (int i = 0; i < common; i++) {
      if (pattern[i] != other.pattern[i]) {
        return true;
      }
    }
    return false;
  }

  private int literalPrefix() {
    int i = 0;
    while (i < pattern.length
        && pattern[i] != '*'
        && pattern[i] != '?'
        && pattern[i] != '['
        && pattern[i] != '\\') {
      i++;
    }
    return i;
  }

  /**
   * {@code skipLonger} is Redis's guard against exponential backtracking: once a {@code *} has
   * tried every suffix and failed, an outer {@code *} trying longer prefixes cannot succeed.
   */
  // Long on purpose: a port of Redis's stringmatchlen, kept in its shape so the two can be
  // compared.
  private boolean match(int p, byte[] s, int i, boolean[] skipLonger) {
    int plen = pattern.length;
    while (p < plen && i < s.length) {
      switch (pattern[p]) {
        case '*' -> {
          while (p + 1 < plen && pattern[p + 1] == '*') {
            p++;
          }
          if (p + 1 == plen) {
            return true;
          }
          for (; i < s.length; i++) {
            if (match(p + 1, s, i, skipLonger)) {
              return true;
            }
            if (skipLonger[0]) {
              return false;
            }
          }
          skipLonger[0] = true;
          return false;
        }
        case '?' -> i++;
        case '[' -> {
          p++;
          boolean not = p < plen && pattern[p] == '^';
          if (not) {
            p++;
          }
          boolean found = false;
          while (true) {
            if (p >= plen) { // unclosed: Redis steps back onto the last byte
              p--;
              break;
            } else if (pattern[p] == '\\' && plen - p >= 2) {
              p++;
              found |= pattern[p] == s[i];
            } else if (pattern[p] == ']') {
              break;
            } else if (plen - p >= 3 && pattern[p + 1] == '-') {
              int start = Math.min(pattern[p], pattern[p + 2]);
              int end = Math.max(pattern[p], pattern[p + 2]);
              found |= s[i] >= start && s[i] <= end;
              p += 2;
            } else {
              found |= pattern[p] == s[i];
            }
            p++;
          }
          if (found == not) {
            return false;
          }
          i++;
        }
        case '\\' -> {
          if (plen - p >= 2) {
            p++;
          }
          if (pattern[p] != s[i]) {
            return false;
          }
          i++;
        }
        default -> {
          if (pattern[p] != s[i]) {
            return false;
          }
          i++;
        }
      }
      p++;
      if (i == s.length) {
        while (p < plen && pattern[p] == '*') {
          p++;
        }
        break;
      }
    }
    return p == plen && i == s.length;
  }

  @Override
  public String toString() {
    return text;
  }
}
