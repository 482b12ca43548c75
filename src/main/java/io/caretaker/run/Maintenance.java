package io.caretaker.run;

import com.cronutils.model.time.ExecutionTime;
import io.caretaker.config.MaintenanceConfig;
import io.caretaker.store.StateFile;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Maintenance mode: switched on by an operator (until a time, kept across restarts when a state
 * file is given) or opened by a configured window. While active, automatic triggers skip; manual
 * runs still work.
 */
public final class Maintenance {
  private final List<Window> windows;
  private final Optional<StateFile> state;
  private volatile Manual manual;
  private AlertSilencer silencer = AlertSilencer.none();
  private String silenceId; // the silence of the operator's maintenance, while it is on
  private Instant windowSilencedUntil; // the end of the open window already silenced

  /** Operator-set maintenance. */
  public record Manual(Instant until, String reason) {}

  /** A configured window, its cron compiled once (status is read on every scrape). */
  private record Window(ExecutionTime opens, Duration duration, ZoneId timezone) {}

  /** What is in force now: the operator's setting first, else an open window. */
  public record Status(boolean enabled, Optional<Instant> until, String reason, String source) {}

  public Maintenance(MaintenanceConfig config) {
    this(config, Optional.empty());
  }

  public Maintenance(MaintenanceConfig config, Optional<StateFile> state) {
    this.windows =
        config.windows().stream()
            .map(w -> new Window(ExecutionTime.forCron(w.cron()), w.duration(), w.timezone()))
            .toList();
    this.state = state;
    state
        .map(StateFile::read)
        .filter(s -> s.get("until") instanceof String)
        .ifPresent(
            s ->
                manual =
                    new Manual(
                        Instant.parse((String) s.get("until")),
                        String.valueOf(s.getOrDefault("reason", ""))));
  }

  /** An operator's maintenance also silences this host's alerts for its window. */
  public synchronized Maintenance silencing(AlertSilencer silencer) {
    this.silencer = silencer;
    return this;
  }

  /**
   * Sets (or with null clears) the operator's maintenance, persisting it, and silences this host's
   * alerts until its end (or expires that silence).
   */
  public synchronized void set(Manual manual) {
    if (silenceId != null) {
      silencer.expire(silenceId);
      silenceId = null;
    }
    if (manual != null) {
      Instant now = Instant.now();
      silenceId =
          silencer
              .silence(
                  "caretaker maintenance"
                      + (manual.reason().isEmpty() ? "" : ": " + manual.reason()),
                  now,
                  manual.until())
              .orElse(null);
    }
    this.manual = manual;
    state.ifPresent(
        s -> {
          Map<String, Object> saved = new LinkedHashMap<>();
          if (manual != null) {
            saved.put("until", manual.until().toString());
            saved.put("reason", manual.reason());
          }
          s.write(saved);
        });
  }

  /**
   * At each collection: a configured window that has opened silences this host's alerts until it
   * closes (once per window).
   */
  public synchronized void tick(Instant now) {
    Status s = status(now);
    if (s.enabled() && s.source().equals("window") && s.until().isPresent()) {
      Instant until = s.until().get();
      if (!until.equals(windowSilencedUntil)) {
        windowSilencedUntil = until;
        silencer.silence("caretaker maintenance window", now, until);
      }
    }
  }

  /** Why maintenance is active at {@code now}, or empty when it is not. */
  public Optional<String> activeReason(Instant now) {
    Status s = status(now);
    return s.enabled() ? Optional.of(s.reason()) : Optional.empty();
  }

  public Status status(Instant now) {
    Manual m = manual;
    if (m != null && now.isBefore(m.until())) {
      return new Status(
          true,
          Optional.of(m.until()),
          m.reason(), // as the operator gave it
          "manual");
    }
    for (Window w : windows) {
      ZonedDateTime local = now.atZone(w.timezone());
      Optional<ZonedDateTime> opened = w.opens().lastExecution(local);
      if (opened.isPresent() && local.isBefore(opened.get().plus(w.duration()))) {
        return new Status(
            true,
            Optional.of(opened.get().plus(w.duration()).toInstant()),
            "maintenance window opened at " + opened.get().toOffsetDateTime(),
            "window");
      }
    }
    return new Status(false, Optional.empty(), "", "none");
  }
}
