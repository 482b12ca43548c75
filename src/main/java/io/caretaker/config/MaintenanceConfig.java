package io.caretaker.config;

import com.cronutils.model.Cron;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;

/** Recurring maintenance windows: automatic triggers do nothing while one is open. */
public record MaintenanceConfig(List<Window> windows) {

  /** Opens at each {@code cron} time in {@code timezone} and stays open for {@code duration}. */
  public record Window(Cron cron, Duration duration, ZoneId timezone) {}

  static MaintenanceConfig read(Section s) {
    List<Window> windows =
        s.sections("windows").stream()
            .map(
                w -> {
                  var cron = CronExpressions.read(w, "cron");
                  if (!w.has("cron")) {
                    w.problem("cron", w.line(), "Missing required property");
                  }
                  Duration duration =
                      w.duration("duration", Duration.ofHours(1), Duration.ofSeconds(1));
                  ZoneId zone = CronExpressions.zone(w, "timezone");
                  w.finish();
                  return cron.map(c -> new Window(c, duration, zone)).orElse(null);
                })
            .filter(w -> w != null)
            .toList();
    s.finish();
    return new MaintenanceConfig(windows);
  }
}
