package io.caretaker.daemon;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import io.caretaker.config.LoggingConfig;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the {@code logging} section: level, text or JSON lines, console or a rolling file (daily
 * and at 100 MB, 7 files kept). System properties {@code caretaker.log.format} and {@code
 * caretaker.log.file} override the config; {@code logback.configurationFile} wins over both.
 */
public final class LogSetup {
  static final String PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{24} - %msg%n";

  private LogSetup() {}

  public static void apply(LoggingConfig config) {
    if (System.getProperty("logback.configurationFile") != null
        || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    String format = System.getProperty("caretaker.log.format", config.format());
    Optional<Path> file =
        Optional.ofNullable(System.getProperty("caretaker.log.file"))
            .map(Path::of)
            .or(config::file);
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(config.level(), Level.INFO));
    if (format.equals("text") && file.isEmpty()) {
      return;
    }
    OutputStreamAppender<ILoggingEvent> appender =
        file.isPresent() ? rollingFile(context, file.get()) : console();
    appender.setContext(context);
    appender.setName(file.isPresent() ? "FILE" : "CONSOLE");
    appender.setEncoder(encoder(context, format));
    appender.start();
    root.detachAndStopAllAppenders();
    root.addAppender(appender);
  }

  private static OutputStreamAppender<ILoggingEvent> console() {
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setTarget("System.err");
    return console;
  }

  private static OutputStreamAppender<ILoggingEvent> rollingFile(LoggerContext ctx, Path file) {
    RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
    appender.setContext(ctx);
    appender.setFile(file.toString());
    SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
    policy.setContext(ctx);
    policy.setParent(appender);
    policy.setFileNamePattern(file + ".%d{yyyy-MM-dd}.%i.gz");
    policy.setMaxFileSize(FileSize.valueOf("100MB"));
    policy.setMaxHistory(7);
    policy.start();
    appender.setRollingPolicy(policy);
    return appender;
  }

  private static Encoder<ILoggingEvent> encoder(LoggerContext ctx, String format) {
    if (format.equals("json")) {
      JsonEncoder json = new JsonEncoder();
      json.setContext(ctx);
      json.start();
      return json;
    }
    PatternLayoutEncoder text = new PatternLayoutEncoder();
    text.setContext(ctx);
    text.setPattern(PATTERN);
    text.start();
    return text;
  }
}
