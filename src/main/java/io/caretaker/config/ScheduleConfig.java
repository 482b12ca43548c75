package io.caretaker.config;

import com.cronutils.model.Cron;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Runs {@code action} on a cron expression (in {@code timezone}) or every fixed interval; a cron
 * schedule's times move by an offset in [0, {@code jitter}) stable per agent, so a fleet spreads.
 */
public record ScheduleConfig(
    String id,
    String action,
    Optional<Cron> cron,
    Optional<Duration> every,
    ZoneId timezone,
    Duration jitter) {

  static ScheduleConfig read(Section s, Set<String> knownActions) {
    String id = s.requiredString("id");
    String action = s.requiredString("action");
    if (!action.isEmpty()) {
      s.checkActions("action", List.of(action), knownActions);
    }
    Optional<Cron> cron = CronExpressions.read(s, "cron");
    Optional<Duration> every = s.optionalDuration("every");
    every
        .filter(d -> d.compareTo(Duration.ofSeconds(1)) < 0)
        .ifPresent(
            d ->
                s.problem(
                    "every", "Expecting a duration of at least 1s. Found: " + s.found("every")));
    if (s.has("cron") == s.has("every")) {
      s.problem("cron", s.line(), "Expecting exactly one of cron or every");
    }
    ZoneId zone = CronExpressions.zone(s, "timezone");
    Duration jitter = s.duration("jitter", Duration.ZERO, Duration.ZERO);
    if (s.has("jitter") && s.has("every")) {
      s.problem(
          "jitter",
          s.line(),
          "An every schedule is already spread (its first run); jitter is for cron");
    }
    s.finish();
    return new ScheduleConfig(id, action, cron, every, zone, jitter);
  }
}
