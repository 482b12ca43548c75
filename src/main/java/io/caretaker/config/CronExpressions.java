package io.caretaker.config;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Optional;

/** UNIX cron (five fields, plus nicknames like @hourly) through cron-utils, validated in place. */
final class CronExpressions {
  private static final CronParser PARSER =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  private CronExpressions() {}

  static Optional<Cron> read(Section s, String key) {
    return s.optionalString(key)
        .flatMap(
            text -> {
              try {
                return Optional.of(PARSER.parse(text).validate());
              } catch (IllegalArgumentException e) {
                s.problem(
                    key,
                    "Invalid cron expression ("
                        + e.getMessage()
                        + "); expecting five fields like \"30 2 * * *\" or @hourly. Found: \""
                        + text
                        + "\"");
                return Optional.empty();
              }
            });
  }

  static ZoneId zone(Section s, String key) {
    String text = s.string(key, "UTC");
    try {
      return ZoneId.of(text);
    } catch (DateTimeException e) {
      s.problem(
          key,
          "Unknown time zone; expecting an IANA name like Europe/London or UTC."
              + " Found: \""
              + text
              + "\"");
      return ZoneId.of("UTC");
    }
  }
}
