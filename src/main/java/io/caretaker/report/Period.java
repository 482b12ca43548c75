package io.caretaker.report;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * The span a report covers, {@code from <= t < to}: {@code daily} (the last 24 hours), {@code
 * weekly} (the last 7 days), or {@code FROM..TO} with dates ({@code 2026-11-01..2026-11-30}, whole
 * UTC days, both included) or instants ({@code 2026-11-01T08:00:00Z..2026-11-01T17:00:00Z}).
 */
public record Period(Instant from, Instant to) {
  public static final String FORMS =
      "daily, weekly, or FROM..TO with dates (2026-11-01..2026-11-30) or ISO-8601 instants";

  public static Period parse(String text, Instant now) {
    switch (text) {
      case "daily":
        return new Period(now.minus(Duration.ofDays(1)), now);
      case "weekly":
        return new Period(now.minus(Duration.ofDays(7)), now);
      default:
        int dots = text.indexOf("..");
        if (dots < 0) {
          throw new IllegalArgumentException(
              "period: expecting " + FORMS + "; got \"" + text + "\"");
        }
        Instant from = point(text.substring(0, dots), false, text);
        Instant to = point(text.substring(dots + 2), true, text);
        if (!from.isBefore(to)) {
          throw new IllegalArgumentException(
              "period: FROM must come before TO; got \"" + text + "\"");
        }
        return new Period(from, to);
    }
  }

  /** A date is its day's start, or for the end of a span, the next day's start. */
  private static Instant point(String s, boolean end, String whole) {
    try {
      if (s.length() == 10) {
        LocalDate day = LocalDate.parse(s);
        return (end ? day.plusDays(1) : day).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "period: \""
              + s
              + "\" is neither a date nor an instant in \""
              + whole
              + "\"; expecting "
              + FORMS);
    }
  }
}
