package io.caretaker.config;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One matcher in Alertmanager's syntax: {@code name="v"}, {@code name!="v"}, {@code name=~"re"},
 * {@code name!~"re"}; regexes are anchored; a missing label matches as the empty string.
 */
public record LabelMatcher(String name, Op op, String value, Pattern regex) {
  private static final Pattern SYNTAX =
      Pattern.compile(
          "\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|[^\"]*?)\\s*");

  public enum Op {
    EQ("="),
    NE("!="),
    RE("=~"),
    NRE("!~");

    final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }
  }

  /** Parses one matcher; the exception message says what is wrong. */
  public static LabelMatcher parse(String text) {
    Matcher m = SYNTAX.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "Expecting a matcher like alertname=\"HostDiskAlmostFull\" or severity=~\"critical|warning\"");
    }
    String raw = m.group(3);
    String value = raw.startsWith("\"") ? unquote(raw) : raw;
    Op op =
        switch (m.group(2)) {
          case "=" -> Op.EQ;
          case "!=" -> Op.NE;
          case "=~" -> Op.RE;
          default -> Op.NRE;
        };
    Pattern regex = null;
    if (op == Op.RE || op == Op.NRE) {
      try {
        regex = Pattern.compile(value);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("Invalid regular expression: " + e.getDescription());
      }
    }
    return new LabelMatcher(m.group(1), op, value, regex);
  }

  public boolean matches(Map<String, String> labels) {
    String actual = labels.getOrDefault(name, "");
    return switch (op) {
      case EQ -> actual.equals(value);
      case NE -> !actual.equals(value);
      case RE -> regex.matcher(actual).matches();
      case NRE -> !regex.matcher(actual).matches();
    };
  }

  @Override
  public String toString() {
    return name + op.symbol + '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  private static String unquote(String quoted) {
    String inner = quoted.substring(1, quoted.length() - 1);
    return inner.replaceAll("\\\\(.)", "$1");
  }
}
