package io.caretaker.actions;

import com.cronutils.model.time.ExecutionTime;
import io.caretaker.config.MaintenanceConfig;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * Maintenance mode: switched on by an operator (until a time) or opened by a configured window.
 * While active, automatic triggers skip; manual runs still work.
 */
public final class Maintenance {
  private final MaintenanceConfig config;
  private volatile Manual manual;

  /** Operator-set maintenance. */
  public record Manual(Instant until, String reason) {}

  public Maintenance(MaintenanceConfig config) {
    this.config = config;
  }

  public void set(Manual manual) {
    this.manual = manual;
  }

  /** Why maintenance is active at {@code now}, or empty when it is not. */
  public Optional<String> activeReason(Instant now) {
    Manual m = manual;
    if (m != null && now.isBefore(m.until())) {
      return Optional.of("maintenance mode" + (m.reason().isEmpty() ? "" : ": " + m.reason()));
    }
    for (MaintenanceConfig.Window w : config.windows()) {
      ZonedDateTime local = now.atZone(w.timezone());
      Optional<ZonedDateTime> opened = ExecutionTime.forCron(w.cron()).lastExecution(local);
      if (opened.isPresent() && local.isBefore(opened.get().plus(w.duration()))) {
        return Optional.of("maintenance window opened at " + opened.get().toOffsetDateTime());
      }
    }
    return Optional.empty();
  }
}
