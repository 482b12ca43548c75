package io.caretaker.daemon;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %msg} with control characters escaped, so a value from outside (an alert label, a path, a
 * reason) can never start a line of its own in the text log: a newline is written as {@code \n},
 * other controls as {@code \u001b}. Registered for {@code msg} by {@link LogDefaults}, so it
 * applies to every text log line (JSON lines escape by themselves).
 */
public final class LogEscaping extends ClassicConverter {
  @Override
  public String convert(ILoggingEvent event) {
    return escape(event.getFormattedMessage());
  }

  static String escape(String text) {
    if (text == null || text.chars().noneMatch(LogEscaping::control)) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    text.chars()
        .forEach(
            c -> {
              if (c == '\n') {
                out.append("\\n");
              } else if (c == '\r') {
                out.append("\\r");
              } else if (control(c)) {
                out.append(String.format("\\u%04x", c));
              } else {
                out.append((char) c);
              }
            });
    return out.toString();
  }

  /** C0 controls but tab, DEL, C1 controls, and the Unicode line and paragraph separators. */
  private static boolean control(int c) {
    return c < 0x20 && c != '\t' || c >= 0x7f && c <= 0x9f || c == 0x2028 || c == 0x2029;
  }
}
