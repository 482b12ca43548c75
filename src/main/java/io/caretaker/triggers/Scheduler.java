package io.caretaker.triggers;

import com.cronutils.model.Cron;
import com.cronutils.model.time.ExecutionTime;
import io.caretaker.actions.SkipReason;
import io.caretaker.actions.Trigger;
import io.caretaker.config.ScheduleConfig;
import io.caretaker.run.ActionExecutor;
import io.caretaker.run.ActionExecutor.RunOptions;
import io.caretaker.store.StateFile;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs actions on their schedules: {@code every} (the first run after start-up is offset by a
 * per-agent jitter within the interval, so a fleet does not fire in lockstep) or {@code cron} in
 * its time zone (cron-utils, DST-aware). A run missed while the agent was down is not replayed: the
 * next one is computed from now. Paused schedules persist across restarts; a paused schedule's due
 * time is recorded as a skipped run (reason {@code paused}).
 */
public final class Scheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private final ActionExecutor executor;
  private final StateFile state;
  private final Clock clock;
  private final String instance;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "caretaker-scheduler");
            t.setDaemon(true);
            return t;
          });

  /** What the API shows for one schedule. */
  public record View(
      String id,
      String action,
      Optional<String> cron,
      Optional<Duration> every,
      String timezone,
      Duration offset,
      boolean paused,
      Instant nextRun) {}

  private static final class Entry {
    final ScheduleConfig config;
    volatile boolean paused;
    volatile Instant next;
    ScheduledFuture<?> timer;

    Entry(ScheduleConfig config) {
      this.config = config;
    }
  }

  /** Thrown for an id that is not a configured schedule. */
  public static final class UnknownScheduleException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    UnknownScheduleException(String id) {
      super("No schedule with id \"" + id + "\"");
    }
  }

  public Scheduler(
      List<ScheduleConfig> schedules,
      ActionExecutor executor,
      StateFile state,
      String instance,
      Clock clock,
      PrometheusRegistry registry) {
    this.executor = executor;
    this.state = state;
    this.clock = clock;
    this.instance = instance;
    Object saved = state.read().get("paused");
    List<?> paused = saved instanceof List<?> l ? l : List.of();
    for (ScheduleConfig s : schedules) {
      Entry e = new Entry(s);
      e.paused = paused.contains(s.id());
      entries.put(s.id(), e);
    }
    GaugeWithCallback.builder()
        .name("caretaker_schedule_next_run_timestamp_seconds")
        .help("When each schedule next comes due, unix seconds (also while paused).")
        .unit(Unit.SECONDS)
        .labelNames("schedule")
        .callback(
            cb ->
                entries
                    .values()
                    .forEach(
                        e -> {
                          Instant next = e.next;
                          if (next != null) {
                            cb.call(next.toEpochMilli() / 1000.0, e.config.id());
                          }
                        }))
        .register(registry);
  }

  public synchronized void start() {
    Instant now = clock.instant();
    for (Entry e : entries.values()) {
      arm(e, first(e.config, now));
    }
  }

  public List<View> list() {
    List<View> views = new ArrayList<>();
    for (Entry e : entries.values()) {
      ScheduleConfig c = e.config;
      views.add(
          new View(
              c.id(),
              c.action(),
              c.cron().map(Cron::asString),
              c.every(),
              c.timezone().getId(),
              offset(c),
              e.paused,
              e.next));
    }
    return views;
  }

  /** Pauses or resumes a schedule; the state is saved before this returns. */
  public synchronized View setPaused(String id, boolean paused) {
    Entry e = entries.get(id);
    if (e == null) {
      throw new UnknownScheduleException(id);
    }
    e.paused = paused;
    state.write(
        Map.of(
            "paused",
            entries.values().stream().filter(x -> x.paused).map(x -> x.config.id()).toList()));
    log.info("Schedule {} {}", id, paused ? "paused" : "resumed");
    return list().stream().filter(v -> v.id().equals(id)).findFirst().orElseThrow();
  }

  /**
   * The first due time after start-up: for {@code every}, now plus a jitter in [0, every) that is
   * stable for this agent and schedule (different agents, different offsets).
   */
  Instant first(ScheduleConfig s, Instant now) {
    if (s.every().isPresent()) {
      long every = s.every().get().toMillis();
      long jitter = Math.floorMod((instance + "/" + s.id()).hashCode() * 2654435761L, every);
      return now.plusMillis(jitter);
    }
    return next(s, now);
  }

  /** This agent's stable offset in [0, jitter) for a cron schedule (from instance and id). */
  Duration offset(ScheduleConfig s) {
    long jitter = s.jitter().toMillis();
    return jitter == 0
        ? Duration.ZERO
        : Duration.ofMillis(
            Math.floorMod((instance + "/" + s.id()).hashCode() * 2654435761L, jitter));
  }

  /** The next due time strictly after {@code t}, this agent's offset included. */
  Instant next(ScheduleConfig s, Instant t) {
    Duration offset = offset(s);
    return after(s, t.minus(offset)).plus(offset);
  }

  /** The next due time strictly after {@code t}. */
  static Instant after(ScheduleConfig s, Instant t) {
    if (s.every().isPresent()) {
      return t.plus(s.every().get());
    }
    return ExecutionTime.forCron(s.cron().orElseThrow())
        .nextExecution(t.atZone(s.timezone()))
        .orElseThrow()
        .toInstant();
  }

  private void arm(Entry e, Instant next) {
    e.next = next;
    long delay = Math.max(0, Duration.between(clock.instant(), next).toMillis());
    e.timer = timer.schedule(() -> due(e), delay, TimeUnit.MILLISECONDS);
  }

  private synchronized void due(Entry e) {
    Instant now = clock.instant();
    if (now.isBefore(e.next)) { // woke early (the wall clock moved): wait for the rest
      arm(e, e.next);
      return;
    }
    Trigger trigger = Trigger.schedule(e.config.id());
    try {
      if (e.paused) {
        executor.recordSkip(e.config.action(), trigger, SkipReason.PAUSED);
      } else {
        executor.submit(e.config.action(), trigger, RunOptions.NORMAL);
      }
    } catch (RuntimeException ex) {
      log.error("Schedule {} could not start {}", e.config.id(), e.config.action(), ex);
    }
    // From the later of the due time and now: a run missed while asleep is not replayed.
    Instant base = now.isAfter(e.next.plusSeconds(1)) ? now : e.next;
    arm(e, next(e.config, base));
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
