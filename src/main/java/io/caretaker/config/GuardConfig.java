package io.caretaker.config;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What must hold for an automatic run of an action to start on a trading host: conditions on the
 * current metrics ({@code guard}) and time windows ({@code windows}). A remediation that is right
 * at 3 a.m. can be wrong at the market open.
 *
 * <pre>
 * guard:
 *   - { metric: trading_open_positions, op: "==", value: 0 }
 *   - { metric: trading_orders_total, rate: 1m, op: "<", value: 1 }
 * windows:
 *   - { forbid: "09:25-16:05", days: mon-fri, timezone: America/New_York }
 * </pre>
 */
public record GuardConfig(List<Condition> conditions, List<Window> windows) {
  public static final GuardConfig NONE = new GuardConfig(List.of(), List.of());
  static final List<String> OPS = List.of("==", "!=", "<", "<=", ">", ">=");

  /** Every series of {@code metric} with {@code labels} (or its per-second rate) against value. */
  public record Condition(
      String metric, Map<String, String> labels, Optional<Duration> rate, String op, double value) {
    public boolean test(double v) {
      return switch (op) {
        case "==" -> v == value;
        case "!=" -> v != value;
        case "<" -> v < value;
        case "<=" -> v <= value;
        case ">" -> v > value;
        default -> v >= value;
      };
    }

    public String describe() {
      String series = metric + (labels.isEmpty() ? "" : labels.toString().replace('=', ':'));
      return rate.map(r -> "rate(" + series + "[" + Units.format(r) + "])").orElse(series)
          + " "
          + op
          + " "
          + (value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value));
    }
  }

  /** From {@code from} to {@code to} (wall clock in {@code zone}) on {@code days}. */
  public record Window(
      boolean forbid, LocalTime from, LocalTime to, Set<DayOfWeek> days, ZoneId zone) {
    public boolean contains(Instant t) {
      ZonedDateTime local = t.atZone(zone);
      LocalTime time = local.toLocalTime();
      boolean inTime =
          from.isBefore(to)
              ? !time.isBefore(from) && time.isBefore(to)
              : !time.isBefore(from) || time.isBefore(to); // across midnight
      return inTime && days.contains(local.getDayOfWeek());
    }

    public String describe() {
      return (forbid ? "never " : "only ") + from + "-" + to + " " + days(days) + " " + zone;
    }

    private static String days(Set<DayOfWeek> days) {
      return days.size() == 7
          ? "every day"
          : String.join(
              ",",
              days.stream().map(d -> d.name().substring(0, 3).toLowerCase(Locale.ROOT)).toList());
    }
  }

  public boolean isEmpty() {
    return conditions.isEmpty() && windows.isEmpty();
  }

  static GuardConfig read(Section s) {
    List<Condition> conditions = s.sections("guard").stream().map(GuardConfig::condition).toList();
    List<Window> windows = s.sections("windows").stream().map(GuardConfig::window).toList();
    return new GuardConfig(conditions, windows);
  }

  static Condition condition(Section c) {
    String metric = c.requiredString("metric");
    Map<String, String> labels = c.stringMap("labels");
    Optional<Duration> rate = c.optionalDuration("rate");
    String op = c.choice("op", "==", OPS);
    if (!c.has("value")) {
      c.problem("value", c.line(), "Missing required property: the number to compare with");
    }
    double value = c.number("value", 0);
    c.finish();
    return new Condition(metric, labels, rate, op, value);
  }

  private static Window window(Section w) {
    boolean forbid = w.has("forbid");
    if (forbid == w.has("allow")) {
      w.problem("forbid", w.line(), "Expecting one of forbid or allow, like \"09:25-16:05\"");
    }
    String span = forbid ? w.requiredString("forbid") : w.optionalString("allow").orElse("");
    LocalTime from = LocalTime.MIDNIGHT;
    LocalTime to = LocalTime.MIDNIGHT;
    String[] parts = span.split("-");
    try {
      if (parts.length != 2) {
        throw new DateTimeParseException("no dash", span, 0);
      }
      from = LocalTime.parse(parts[0].trim());
      to = LocalTime.parse(parts[1].trim());
    } catch (DateTimeParseException e) {
      w.problem(
          forbid ? "forbid" : "allow",
          w.line(),
          "Expecting HH:MM-HH:MM, like \"09:25-16:05\". Found: \"" + span + "\"");
    }
    Set<DayOfWeek> days = days(w, w.optionalString("days").orElse("mon-sun"));
    ZoneId zone = ZoneId.of("UTC");
    String zoneText = w.optionalString("timezone").orElse("UTC");
    try {
      zone = ZoneId.of(zoneText);
    } catch (RuntimeException e) {
      w.problem(
          "timezone",
          w.line(),
          "Unknown time zone \"" + zoneText + "\" (IANA, like Europe/London)");
    }
    w.finish();
    return new Window(forbid, from, to, days, zone);
  }

  /** "mon-fri", "sat,sun", "mon-sun". */
  private static Set<DayOfWeek> days(Section w, String text) {
    Set<DayOfWeek> out = EnumSet.noneOf(DayOfWeek.class);
    for (String part : text.toLowerCase(Locale.ROOT).split(",")) {
      String[] range = part.trim().split("-");
      DayOfWeek a = day(w, range[0]);
      DayOfWeek b = range.length > 1 ? day(w, range[1]) : a;
      if (a == null || b == null) {
        return EnumSet.allOf(DayOfWeek.class);
      }
      for (DayOfWeek d = a; ; d = d.plus(1)) {
        out.add(d);
        if (d == b) {
          break;
        }
      }
    }
    return out;
  }

  private static DayOfWeek day(Section w, String name) {
    for (DayOfWeek d : DayOfWeek.values()) {
      if (d.name().toLowerCase(Locale.ROOT).startsWith(name.trim()) && name.trim().length() >= 3) {
        return d;
      }
    }
    w.problem("days", w.line(), "Expecting days like mon-fri or sat,sun. Found: \"" + name + "\"");
    return null;
  }
}
