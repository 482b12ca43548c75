package io.caretaker.run;

import io.caretaker.config.ActionConfig;
import io.caretaker.config.GuardConfig;
import io.caretaker.config.GuardConfig.Condition;
import io.caretaker.config.GuardConfig.Window;
import io.caretaker.metrics.Series;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Whether an action's guard holds now ({@link GuardConfig}): each condition against every series it
 * selects in the agent's metrics as the last collection left them (read once a cycle, on the
 * collection thread, so a check never scrapes; a metric with no series fails: no data is no proof
 * of safety), a {@code rate} condition against the per-second increase over its window (from
 * samples kept at each collection), and the time windows against the clock in their zones. The
 * verdict names every condition and window, and which fail.
 */
public final class SafetyGuards {
  /** The verdict: whether all hold, and each condition or window with its state now. */
  public record Verdict(boolean holds, List<String> failing, List<String> holding) {
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("holds", holds);
      m.put("failing", failing);
      m.put("holding", holding);
      return m;
    }
  }

  private record Sample(Instant at, double value) {}

  private final Supplier<MetricSnapshots> metrics;
  private final boolean anyCondition;
  private volatile MetricSnapshots latest = MetricSnapshots.of();
  private final Set<String> rateMetrics;
  private final Duration keep;
  private final Map<String, Deque<Sample>> samples = new HashMap<>();

  public SafetyGuards(Collection<ActionConfig> actions, Supplier<MetricSnapshots> metrics) {
    this.metrics = metrics;
    this.anyCondition = actions.stream().anyMatch(a -> !a.guard().conditions().isEmpty());
    List<Condition> rates =
        actions.stream()
            .flatMap(a -> a.guard().conditions().stream())
            .filter(c -> c.rate().isPresent())
            .toList();
    this.rateMetrics = rates.stream().map(Condition::metric).collect(Collectors.toSet());
    this.keep =
        rates.stream()
            .map(c -> c.rate().orElseThrow())
            .max(Duration::compareTo)
            .orElse(Duration.ZERO)
            .multipliedBy(2);
  }

  public static SafetyGuards none() {
    return new SafetyGuards(List.of(), MetricSnapshots::of);
  }

  /** After each collection: the metrics the conditions read, and the samples rates need. */
  public synchronized void observe(Instant at) {
    if (!anyCondition) {
      return;
    }
    latest = metrics.get();
    Series.index(latest, rateMetrics)
        .values()
        .forEach(
            list ->
                list.forEach(
                    s -> {
                      Deque<Sample> d =
                          samples.computeIfAbsent(
                              key(s.name(), s.labels()), k -> new ArrayDeque<>());
                      d.addLast(new Sample(at, s.value()));
                      while (d.size() > 1 && d.peekFirst().at().isBefore(at.minus(keep))) {
                        d.removeFirst();
                      }
                    }));
  }

  public synchronized Verdict check(GuardConfig guard, Instant now) {
    List<String> failing = new ArrayList<>();
    List<String> holding = new ArrayList<>();
    boolean anyAllow = guard.windows().stream().anyMatch(w -> !w.forbid());
    boolean inAllow = guard.windows().stream().anyMatch(w -> !w.forbid() && w.contains(now));
    for (Window w : guard.windows()) {
      boolean ok = w.forbid() ? !w.contains(now) : !anyAllow || inAllow;
      (ok ? holding : failing).add(w.describe());
    }
    if (!guard.conditions().isEmpty()) {
      Map<String, List<Series>> index =
          Series.index(
              latest,
              guard.conditions().stream().map(Condition::metric).collect(Collectors.toSet()));
      for (Condition c : guard.conditions()) {
        String problem = problem(c, index.getOrDefault(c.metric(), List.of()), now);
        if (problem == null) {
          holding.add(c.describe());
        } else {
          failing.add(c.describe() + ": " + problem);
        }
      }
    }
    return new Verdict(failing.isEmpty(), failing, holding);
  }

  /** Why the condition does not hold, or null when it does for every series it selects. */
  private String problem(Condition c, List<Series> all, Instant now) {
    List<Series> selected =
        all.stream().filter(s -> s.labels().entrySet().containsAll(c.labels().entrySet())).toList();
    if (selected.isEmpty()) {
      return "no series";
    }
    for (Series s : selected) {
      double v;
      if (c.rate().isPresent()) {
        Double r = rate(s, c.rate().get(), now);
        if (r == null) {
          return "not enough samples yet for a " + c.rate().get().toSeconds() + "s rate";
        }
        v = r;
      } else {
        v = s.value();
      }
      if (!c.test(v)) {
        return "is " + (v == Math.rint(v) ? Long.toString((long) v) : String.format("%.4g", v));
      }
    }
    return null;
  }

  /** Per-second increase between the oldest sample within the window and now. */
  private Double rate(Series s, Duration window, Instant now) {
    Deque<Sample> d = samples.get(key(s.name(), s.labels()));
    if (d == null) {
      return null;
    }
    Sample first = null;
    for (Sample x : d) {
      if (!x.at().isBefore(now.minus(window))) {
        first = x;
        break;
      }
    }
    if (first == null || !first.at().isBefore(now)) {
      return null;
    }
    double seconds = Duration.between(first.at(), now).toMillis() / 1000.0;
    return Math.max(0, s.value() - first.value()) / seconds;
  }

  private static String key(String name, Map<String, String> labels) {
    return name + labels;
  }
}
