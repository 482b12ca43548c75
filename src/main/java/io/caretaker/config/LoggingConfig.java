package io.caretaker.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Log level, line format (text or JSON) and optional rolling file; console (stderr) by default. */
public record LoggingConfig(String level, String format, Optional<Path> file) {
  public static final LoggingConfig DEFAULT = new LoggingConfig("info", "text", Optional.empty());

  static LoggingConfig read(Section s) {
    LoggingConfig config =
        new LoggingConfig(
            s.choice("level", "info", List.of("trace", "debug", "info", "warn", "error")),
            s.choice("format", "text", List.of("text", "json")),
            s.optionalString("file").map(Path::of));
    s.finish();
    return config;
  }
}
