package io.caretaker.triggers;

import io.caretaker.actions.Trigger;
import io.caretaker.collect.Snapshot;
import io.caretaker.config.ActionConfig;
import io.caretaker.config.ActionSpec;
import io.caretaker.metrics.Series;
import io.caretaker.run.ActionExecutor;
import io.caretaker.run.ActionExecutor.RunOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Starts a log rotation in the cycle that sees one of its live logs at or over {@code max_size}:
 * logrotate's maxsize, checked every collection instead of once a day. A rotation still running is
 * recorded as skipped (running) and the next cycle looks again.
 */
public final class SizeTrigger {
  private static final String METRIC = "caretaker_log_file_bytes";

  private final Map<String, Long> maxSizes = new LinkedHashMap<>();
  private final ActionExecutor executor;

  public SizeTrigger(Map<String, ActionConfig> actions, ActionExecutor executor) {
    this.executor = executor;
    actions.forEach(
        (name, a) -> {
          if (a.spec() instanceof ActionSpec.LogRotation r && r.maxSize().isPresent()) {
            maxSizes.put(name, r.maxSize().get());
          }
        });
  }

  /** For {@code CollectionLoop.addListener}. */
  public void check(Snapshot snapshot) {
    if (maxSizes.isEmpty()) {
      return;
    }
    List<Series> sizes =
        Series.index(snapshot.metrics(), Set.of(METRIC)).getOrDefault(METRIC, List.of());
    maxSizes.forEach(
        (action, max) ->
            overSize(sizes, action, max)
                .ifPresent(
                    s ->
                        executor.submit(
                            action,
                            Trigger.size(s.labels().get("file") + " " + (long) s.value()),
                            RunOptions.NORMAL)));
  }

  private static Optional<Series> overSize(List<Series> sizes, String action, long max) {
    return sizes.stream()
        .filter(s -> action.equals(s.labels().get("set")) && s.value() >= max)
        .findFirst();
  }
}
