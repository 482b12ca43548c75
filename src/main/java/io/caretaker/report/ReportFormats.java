package io.caretaker.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link Report} as JSON (the record, snake_case), CSV (one {@code section,name,field,value} row
 * per figure: any CSV reader takes it, a spreadsheet pivots it) or HTML (one self-contained file:
 * inline style, an inline SVG chart of the health score, no script, every name escaped).
 */
public final class ReportFormats {
  public static final List<String> FORMATS = List.of("html", "csv", "json");

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

  private ReportFormats() {}

  /** Throws, naming the formats, unless {@code format} is one of {@link #FORMATS}. */
  public static void check(String format) {
    if (!FORMATS.contains(format)) {
      throw new IllegalArgumentException(
          "format: expecting one of " + String.join(", ", FORMATS) + "; got \"" + format + "\"");
    }
  }

  /** The report in {@code format} (one of {@link #FORMATS}). */
  public static byte[] render(Report r, String format) {
    check(format);
    return switch (format) {
      case "json" -> json(r);
      case "csv" -> csv(r).getBytes(StandardCharsets.UTF_8);
      default -> html(r).getBytes(StandardCharsets.UTF_8);
    };
  }

  public static String contentType(String format) {
    return switch (format) {
      case "json" -> "application/json";
      case "csv" -> "text/csv; charset=utf-8";
      default -> "text/html; charset=utf-8";
    };
  }

  private static byte[] json(Report r) {
    try {
      return JSON.writeValueAsBytes(r);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a report did not serialize", e);
    }
  }

  static String csv(Report r) {
    StringBuilder out = new StringBuilder("section,name,field,value\r\n");
    row(out, "period", r.instance(), "from", r.from());
    row(out, "period", r.instance(), "to", r.to());
    r.outcomes().forEach((o, n) -> row(out, "runs", "all", o, n));
    for (Report.ActionStats a : r.actions()) {
      row(out, "action", a.action(), "runs", a.runs());
      a.outcomes().forEach((o, n) -> row(out, "action", a.action(), o, n));
      row(out, "action", a.action(), "total_seconds", a.totalSeconds());
      row(out, "action", a.action(), "max_seconds", a.maxSeconds());
      a.figures().forEach((f, n) -> row(out, "action", a.action(), f, n));
    }
    for (Report.RuleStats s : r.rules()) {
      row(out, "rule", s.ref(), "fired", s.fired());
      row(out, "rule", s.ref(), "cleared", s.cleared());
      if (s.meanSecondsToClear() != null) {
        row(out, "rule", s.ref(), "mean_seconds_to_clear", s.meanSecondsToClear());
      }
    }
    Report.HealthStats h = r.health();
    row(out, "health", "score", "samples", h.samples());
    if (h.samples() > 0) {
      row(out, "health", "score", "min", h.min());
      row(out, "health", "score", "mean", h.mean());
      row(out, "health", "score", "max", h.max());
    }
    return out.toString();
  }

  private static void row(StringBuilder out, String section, String name, String field, Object v) {
    out.append(cell(section))
        .append(',')
        .append(cell(name))
        .append(',')
        .append(cell(field))
        .append(',')
        .append(cell(String.valueOf(v)))
        .append("\r\n");
  }

  /**
   * RFC 4180 quoting; text a spreadsheet would run as a formula (=, +, -, @ first) gets a leading
   * apostrophe, numbers excepted.
   */
  static String cell(String s) {
    String text = s;
    if (!text.isEmpty() && "=+-@".indexOf(text.charAt(0)) >= 0 && !isNumber(text)) {
      text = "'" + text;
    }
    if (text.contains(",") || text.contains("\"") || text.contains("\n") || text.contains("\r")) {
      return "\"" + text.replace("\"", "\"\"") + "\"";
    }
    return text;
  }

  private static boolean isNumber(String s) {
    try {
      Double.parseDouble(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  static String esc(Object o) {
    String s = String.valueOf(o);
    StringBuilder out = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  // Long on purpose: one page, top to bottom.
  static String html(Report r) {
    StringBuilder h = new StringBuilder();
    h.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>caretaker report: ")
        .append(esc(r.instance()))
        .append("</title><style>")
        .append(STYLE)
        .append("</style></head><body>\n<h1>caretaker report: ")
        .append(esc(r.instance()))
        .append("</h1>\n<p>")
        .append(esc(r.from()))
        .append(" to ")
        .append(esc(r.to()))
        .append(" (generated ")
        .append(esc(r.generatedAt()))
        .append(")</p>\n<h2>Health score</h2>\n");
    Report.HealthStats health = r.health();
    if (health.samples() == 0) {
      h.append("<p>No samples in this period.</p>\n");
    } else {
      h.append("<p>min ")
          .append(health.min())
          .append(", mean ")
          .append(String.format(Locale.ROOT, "%.1f", health.mean()))
          .append(", max ")
          .append(health.max())
          .append(" over ")
          .append(health.samples())
          .append(" samples</p>\n")
          .append(chart(r));
    }
    h.append("<h2>Runs</h2>\n<p>");
    if (r.outcomes().isEmpty()) {
      h.append("No runs in this period.");
    }
    r.outcomes().forEach((o, n) -> h.append(esc(o)).append(": ").append(n).append(". "));
    h.append("</p>\n");
    if (!r.actions().isEmpty()) {
      h.append("<table><thead><tr><th>action</th><th>runs</th><th>outcomes</th>")
          .append("<th>total time</th><th>longest</th><th>bytes freed</th>")
          .append("<th>keys deleted</th><th>rows deleted</th></tr></thead><tbody>\n");
      for (Report.ActionStats a : r.actions()) {
        h.append("<tr><td>")
            .append(esc(a.action()))
            .append("</td><td>")
            .append(a.runs())
            .append("</td><td>")
            .append(esc(outcomes(a.outcomes())))
            .append("</td><td>")
            .append(seconds(a.totalSeconds()))
            .append("</td><td>")
            .append(seconds(a.maxSeconds()))
            .append("</td><td>")
            .append(a.figures().get("bytes_freed"))
            .append("</td><td>")
            .append(a.figures().get("keys_deleted"))
            .append("</td><td>")
            .append(a.figures().get("rows_deleted"))
            .append("</td></tr>\n");
      }
      h.append("</tbody></table>\n");
    }
    h.append("<h2>Rules</h2>\n");
    if (r.rules().isEmpty()) {
      h.append("<p>No rule fired or cleared in this period.</p>\n");
    } else {
      h.append("<table><thead><tr><th>rule instance</th><th>fired</th><th>cleared</th>")
          .append("<th>mean time to clear</th></tr></thead><tbody>\n");
      for (Report.RuleStats s : r.rules()) {
        h.append("<tr><td>")
            .append(esc(s.ref()))
            .append("</td><td>")
            .append(s.fired())
            .append("</td><td>")
            .append(s.cleared())
            .append("</td><td>")
            .append(s.meanSecondsToClear() == null ? "–" : seconds(s.meanSecondsToClear()))
            .append("</td></tr>\n");
      }
      h.append("</tbody></table>\n");
    }
    return h.append("</body></html>\n").toString();
  }

  private static String outcomes(Map<String, Long> m) {
    StringBuilder s = new StringBuilder();
    m.forEach((o, n) -> s.append(s.length() == 0 ? "" : ", ").append(n).append(' ').append(o));
    return s.toString();
  }

  private static String seconds(double s) {
    Duration d = Duration.ofMillis(Math.round(s * 1000));
    return d.toMinutes() > 0
        ? d.toMinutes() + "m " + d.toSecondsPart() + "s"
        : String.format(Locale.ROOT, "%.1fs", s);
  }

  /** The score over the period as an SVG polyline, 0 to 100 bottom to top. */
  private static String chart(Report r) {
    int w = 720;
    int h = 160;
    double span = Math.max(1, Duration.between(r.from(), r.to()).toMillis());
    StringBuilder points = new StringBuilder();
    for (Report.Point p : r.health().series()) {
      double x = w * Duration.between(r.from(), p.t()).toMillis() / span;
      double y = h - h * p.score() / 100.0;
      points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
    }
    return "<svg role=\"img\" aria-label=\"health score over the period\" viewBox=\"0 0 "
        + w
        + " "
        + h
        + "\" width=\""
        + w
        + "\" height=\""
        + h
        + "\"><rect width=\"100%\" height=\"100%\" fill=\"#f6f8fa\"/>"
        + "<line x1=\"0\" y1=\"32\" x2=\""
        + w
        + "\" y2=\"32\" stroke=\"#d0d7de\"/><polyline fill=\"none\" stroke=\"#1a7f37\""
        + " stroke-width=\"2\" points=\""
        + points.toString().trim()
        + "\"/></svg>\n";
  }

  private static final String STYLE =
      "body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;"
          + "color:#1b1f24}table{border-collapse:collapse;width:100%}th,td{text-align:left;"
          + "padding:.3rem .5rem;border-bottom:1px solid #d0d7de}th{background:#f6f8fa}"
          + "svg{max-width:100%;height:auto}";
}
