package io.caretaker.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A value from outside cannot forge a log line. */
class LogEscapingTest {
  private static final String FORGED =
      "HostDown\n2026-11-23T10:00:00.000Z ERROR [main] Daemon -"
          + " root password is hunter2\r\u001b[31m";

  @Test
  void theShippedTextLayoutKeepsAnAlertNameWithNewlinesOnOneLine() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    OutputStreamAppender<?> console = (OutputStreamAppender<?>) root.getAppender("CONSOLE");
    PatternLayoutEncoder encoder = (PatternLayoutEncoder) console.getEncoder();
    String line =
        encoder
            .getLayout()
            .doLayout(
                new LoggingEvent(
                    getClass().getName(),
                    root,
                    Level.INFO,
                    "Action {} ({} {}) skipped: {}",
                    null,
                    new Object[] {"fix", "alert", FORGED, "cooldown"}));
    assertThat(line.lines()).hasSize(1);
    assertThat(line)
        .contains("HostDown\\n2026-11-23T10:00:00.000Z ERROR")
        .contains("hunter2\\r\\u001b[31m");
  }

  @Test
  void theProgrammaticTextLayoutEscapesToo() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(LogSetup.PATTERN);
    encoder.start();
    byte[] bytes =
        encoder.encode(
            new LoggingEvent(
                getClass().getName(), context.getLogger("t"), Level.WARN, FORGED, null, null));
    assertThat(new String(bytes, StandardCharsets.UTF_8).lines()).hasSize(1);
  }
}
