package io.caretaker.run;

import io.caretaker.actions.RunRecord;
import io.caretaker.actions.RunRecord.Outcome;
import io.caretaker.actions.SkipReason;
import io.caretaker.actions.Trigger;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Skips recorded coalesced: the first skip of an action for a reason opens a record for {@link
 * #WINDOW}; later ones raise its {@code count} in the history's view, and {@link #save} writes the
 * counts that changed (the executor calls it every few seconds and at close). A storm of triggers
 * therefore costs a few history lines, never the records of runs that executed.
 */
final class SkipLog {
  /** Skips of one action for one reason within this window share one record. */
  static final Duration WINDOW = Duration.ofMinutes(1);

  private final RunHistory history;

  /** The open record of each action and reason ("action/reason"), and which have news. */
  private final Map<String, RunRecord> open = new HashMap<>();

  private final Set<String> unsaved = new HashSet<>();

  SkipLog(RunHistory history) {
    this.history = history;
  }

  /** A skip's record, and whether it opened a window (then the caller records and logs it). */
  record Entry(RunRecord record, boolean opened) {}

  synchronized Entry add(
      String name,
      Trigger trigger,
      SkipReason reason,
      Map<String, Object> detail,
      boolean dryRun,
      Instant now) {
    String key = name + "/" + reason.label();
    RunRecord current = open.get(key);
    if (current != null && now.isBefore(current.startedAt().plus(WINDOW))) {
      RunRecord counted =
          skip(
              current.id(),
              name,
              current.trigger(),
              current.startedAt(),
              now,
              reason,
              current.details(),
              current.dryRun(),
              current.skipCount() + 1);
      open.put(key, counted);
      unsaved.add(key);
      history.update(counted);
      return new Entry(counted, false);
    }
    save(key);
    RunRecord first = skip(history.nextId(), name, trigger, now, now, reason, detail, dryRun, 1);
    open.put(key, first);
    return new Entry(first, true);
  }

  synchronized void save() {
    List.copyOf(unsaved).forEach(this::save);
  }

  private void save(String key) {
    if (unsaved.remove(key)) {
      history.append(open.get(key));
    }
  }

  private static RunRecord skip(
      long id,
      String name,
      Trigger trigger,
      Instant startedAt,
      Instant now,
      SkipReason reason,
      Map<String, Object> detail,
      boolean dryRun,
      long count) {
    Map<String, Object> details = new java.util.LinkedHashMap<>(detail);
    details.put("count", count);
    return new RunRecord(
        id, name, trigger, startedAt, now, Outcome.SKIPPED, reason.label(), dryRun, details);
  }
}
