package io.caretaker.run;

import io.caretaker.actions.RunRecord;
import io.caretaker.config.ActionConfig;
import io.caretaker.store.StateFile;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What cooldowns and budgets read: each action's last start and the starts of its automatic runs
 * within its budget window. Kept in {@code data_dir/guards.json}, written (aside, fsynced, renamed)
 * before a run starts, so neither a restart nor any number of records in the history makes the
 * executor forget a run. Without the file (a first start, or an upgrade) it is seeded from the
 * history. Dry runs and skips do not count. Not thread-safe: the executor's lock guards it.
 */
final class GuardState {
  private static final Logger log = LoggerFactory.getLogger(GuardState.class);
  private final StateFile file;
  private final Map<String, ActionConfig> configs;
  private final Map<String, Instant> lastStart = new HashMap<>();
  private final Map<String, Deque<Instant>> automaticStarts = new HashMap<>();

  GuardState(StateFile file, Map<String, ActionConfig> configs, RunHistory seed) {
    this.file = file;
    this.configs = configs;
    try {
      Map<String, Object> saved = file.read();
      if (!saved.isEmpty()) {
        load(saved);
        return;
      }
    } catch (RuntimeException e) {
      log.warn("Guard state unreadable ({}); rebuilding it from the run history", e.toString());
      lastStart.clear();
      automaticStarts.clear();
    }
    seedFrom(seed);
  }

  Optional<Instant> lastStart(String action) {
    return Optional.ofNullable(lastStart.get(action));
  }

  /** Automatic starts of {@code action} after {@code since}. */
  long automaticStartsAfter(String action, Instant since) {
    return automaticStarts.getOrDefault(action, new ArrayDeque<>()).stream()
        .filter(t -> t.isAfter(since))
        .count();
  }

  /** Records a start that counts, and persists it before the run begins. */
  void started(String action, boolean automatic, Instant at) {
    lastStart.put(action, at);
    if (automatic) {
      automaticStarts.computeIfAbsent(action, a -> new ArrayDeque<>()).addLast(at);
    }
    prune(action, at);
    file.write(toJson());
  }

  /**
   * Takes back a start whose run found at once that it must not go on (another agent holds the
   * lock): such a run is a skip, and skips use neither cooldown nor budget.
   */
  void withdraw(String action, Instant at, Optional<Instant> previous) {
    if (!at.equals(lastStart.get(action))) {
      return; // a later run started since
    }
    previous.ifPresentOrElse(p -> lastStart.put(action, p), () -> lastStart.remove(action));
    Deque<Instant> starts = automaticStarts.get(action);
    if (starts != null) {
      starts.removeLastOccurrence(at);
    }
    file.write(toJson());
  }

  /** Starts older than the budget window matter to nothing. */
  private void prune(String action, Instant now) {
    Deque<Instant> starts = automaticStarts.get(action);
    if (starts == null) {
      return;
    }
    Duration window =
        Optional.ofNullable(configs.get(action))
            .flatMap(ActionConfig::budget)
            .map(ActionConfig.Budget::per)
            .orElse(Duration.ZERO);
    while (!starts.isEmpty() && !starts.peekFirst().isAfter(now.minus(window))) {
      starts.removeFirst();
    }
  }

  private void seedFrom(RunHistory history) {
    Instant now = Instant.now();
    for (String action : configs.keySet()) {
      history.last(action, RunRecord::ran).ifPresent(r -> lastStart.put(action, r.startedAt()));
      List<RunRecord> automatic =
          history.newest(Optional.of(action), Integer.MAX_VALUE).stream()
              .filter(r -> r.ran() && r.trigger().automatic())
              .toList();
      Deque<Instant> starts = new ArrayDeque<>();
      automatic.forEach(r -> starts.addFirst(r.startedAt()));
      automaticStarts.put(action, starts);
      prune(action, now);
    }
  }

  @SuppressWarnings("unchecked")
  private void load(Map<String, Object> saved) {
    Object actions = saved.get("actions");
    if (!(actions instanceof Map<?, ?> map)) {
      return;
    }
    map.forEach(
        (name, value) -> {
          if (value instanceof Map<?, ?> entry && name instanceof String action) {
            if (entry.get("last_start") instanceof String t) {
              lastStart.put(action, Instant.parse(t));
            }
            Deque<Instant> starts = new ArrayDeque<>();
            if (entry.get("automatic_starts") instanceof List<?> list) {
              list.forEach(t -> starts.addLast(Instant.parse((String) t)));
            }
            automaticStarts.put(action, starts);
          }
        });
  }

  private Map<String, Object> toJson() {
    Map<String, Object> actions = new LinkedHashMap<>();
    lastStart.forEach(
        (action, at) -> {
          Map<String, Object> entry = new LinkedHashMap<>();
          entry.put("last_start", at.toString());
          entry.put(
              "automatic_starts",
              automaticStarts.getOrDefault(action, new ArrayDeque<>()).stream()
                  .map(Instant::toString)
                  .toList());
          actions.put(action, entry);
        });
    return Map.of("actions", actions);
  }
}
