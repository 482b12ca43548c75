package io.caretaker.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the duration ("1h30m", "500ms", "7d") and size ("1GiB", "512MB") notations of the config.
 */
public final class Units {
  private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d|w)");
  private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([KMGT]i?B|B)?");
  private static final Map<String, Long> SIZE_UNITS =
      Map.of(
          "B",
          1L,
          "KB",
          1_000L,
          "MB",
          1_000_000L,
          "GB",
          1_000_000_000L,
          "TB",
          1_000_000_000_000L,
          "KIB",
          1L << 10,
          "MIB",
          1L << 20,
          "GIB",
          1L << 30,
          "TIB",
          1L << 40);

  /** The longest duration anything takes: ten years, far from where arithmetic overflows. */
  public static final Duration MAX_DURATION = Duration.ofDays(3650);

  private Units() {}

  /**
   * Parses a non-negative duration, e.g. "5s", "1h30m", "250ms"; null when it is not one or is
   * longer than {@link #MAX_DURATION}.
   */
  public static Duration parseDuration(String text) {
    double millis = parseMillis(text);
    return millis >= 0 && millis <= MAX_DURATION.toMillis()
        ? Duration.ofMillis(Math.round(millis))
        : null;
  }

  /** Whether {@code text} is written like a duration but is longer than the maximum. */
  public static boolean tooLong(String text) {
    return parseMillis(text) > MAX_DURATION.toMillis();
  }

  /** A duration's milliseconds as a double (no overflow), or -1 when it is not one. */
  private static double parseMillis(String text) {
    String s = text.trim();
    if (s.equals("0")) {
      return 0;
    }
    Matcher m = DURATION_PART.matcher(s);
    double totalMillis = 0;
    int end = 0;
    while (m.find() && m.start() == end) {
      double amount = Double.parseDouble(m.group(1));
      long millisPerUnit =
          switch (m.group(2)) {
            case "ms" -> 1L;
            case "s" -> 1_000L;
            case "m" -> 60_000L;
            case "h" -> 3_600_000L;
            case "d" -> 86_400_000L;
            default -> 7 * 86_400_000L;
          };
      totalMillis += amount * millisPerUnit;
      end = m.end();
    }
    return end == s.length() && end > 0 ? totalMillis : -1;
  }

  /** Parses a byte size, e.g. "1GiB", "512MB", "1048576"; null when it is not one. */
  public static Long parseBytes(String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      return null;
    }
    String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
    double value = Double.parseDouble(m.group(1)) * SIZE_UNITS.get(unit);
    return value > Long.MAX_VALUE ? null : (long) value;
  }

  /** Formats a duration the way the config writes it ("1h30m", "5s", "250ms"). */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    long ms = d.toMillis();
    long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};
    String[] names = {"d", "h", "m", "s", "ms"};
    for (int i = 0; i < sizes.length; i++) {
      if (ms >= sizes[i]) {
        out.append(ms / sizes[i]).append(names[i]);
        ms %= sizes[i];
      }
    }
    return out.toString();
  }
}
