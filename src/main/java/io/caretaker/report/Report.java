package io.caretaker.report;

import io.caretaker.actions.Figure;
import io.caretaker.actions.RunRecord;
import io.caretaker.actions.RunRecord.Outcome;
import io.caretaker.run.HealthJournal;
import io.caretaker.run.RunHistory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What happened on this host over a period, from the run history and the health journal: runs by
 * action and outcome with their durations and figures, rules fired and cleared with the time they
 * took to clear, and the health score's min, mean and max with its samples for a chart. A plain
 * value: {@link ReportFormats} writes it as JSON, CSV or HTML.
 */
public record Report(
    String instance,
    Instant from,
    Instant to,
    Instant generatedAt,
    Map<String, Long> outcomes,
    List<ActionStats> actions,
    List<RuleStats> rules,
    HealthStats health) {

  /** The figures summed per action: the ones actions report and metrics count. */
  static final List<Figure> FIGURES =
      List.of(Figure.BYTES_FREED, Figure.KEYS_DELETED, Figure.ROWS_DELETED);

  /** How many score samples the chart gets at most (averaged in buckets beyond). */
  static final int CHART_POINTS = 480;

  public record ActionStats(
      String action,
      long runs,
      Map<String, Long> outcomes,
      double totalSeconds,
      double maxSeconds,
      Map<String, Long> figures) {}

  public record RuleStats(
      String rule, String ref, long fired, long cleared, Double meanSecondsToClear) {}

  public record HealthStats(
      long samples, Integer min, Double mean, Integer max, List<Point> series) {}

  public record Point(Instant t, double score) {}

  public static Report build(
      String instance, RunHistory history, HealthJournal journal, Period p, Instant now) {
    List<RunRecord> runs =
        history.newest(
            r -> !r.startedAt().isBefore(p.from()) && r.startedAt().isBefore(p.to()),
            Integer.MAX_VALUE);
    Map<String, Long> outcomes = new TreeMap<>();
    Map<String, List<RunRecord>> byAction = new TreeMap<>();
    for (RunRecord r : runs) {
      outcomes.merge(r.outcome().label(), count(r), Long::sum);
      byAction.computeIfAbsent(r.action(), a -> new ArrayList<>()).add(r);
    }
    List<ActionStats> actions = new ArrayList<>();
    byAction.forEach((action, list) -> actions.add(actionStats(action, list)));
    // Rule changes from a week before: a rule that fired then and cleared now has its time.
    List<HealthJournal.Entry> entries = journal.between(p.from().minus(Duration.ofDays(7)), p.to());
    return new Report(
        instance,
        p.from(),
        p.to(),
        now,
        outcomes,
        actions,
        ruleStats(entries, p),
        healthStats(entries, p));
  }

  private static long count(RunRecord r) {
    return r.outcome() == Outcome.SKIPPED ? r.skipCount() : 1;
  }

  private static ActionStats actionStats(String action, List<RunRecord> list) {
    Map<String, Long> outcomes = new TreeMap<>();
    Map<String, Long> figures = new LinkedHashMap<>();
    FIGURES.forEach(f -> figures.put(f.key(), 0L));
    double total = 0;
    double max = 0;
    long runs = 0;
    for (RunRecord r : list) {
      outcomes.merge(r.outcome().label(), count(r), Long::sum);
      runs += count(r);
      if (r.finishedAt() != null && r.outcome() != Outcome.SKIPPED) {
        double s = Duration.between(r.startedAt(), r.finishedAt()).toNanos() / 1e9;
        total += s;
        max = Math.max(max, s);
      }
      if (!r.dryRun()) {
        for (Figure f : FIGURES) {
          if (r.details().get(f.key()) instanceof Number n) {
            figures.merge(f.key(), n.longValue(), Long::sum);
          }
        }
      }
    }
    return new ActionStats(action, runs, outcomes, total, max, figures);
  }

  private static boolean firing(String state) {
    return "warning".equals(state) || "critical".equals(state);
  }

  private static List<RuleStats> ruleStats(List<HealthJournal.Entry> entries, Period p) {
    Map<String, long[]> counts = new TreeMap<>(); // ref -> fired, cleared
    Map<String, List<Double>> toClear = new HashMap<>();
    Map<String, String> ruleOf = new HashMap<>();
    Map<String, Instant> firedAt = new HashMap<>();
    for (HealthJournal.Entry e : entries) {
      if (e.hasScore()) {
        continue;
      }
      boolean inPeriod = !e.t().isBefore(p.from());
      ruleOf.put(e.ref(), e.rule());
      if (firing(e.to()) && !firing(e.from())) {
        firedAt.put(e.ref(), e.t());
        if (inPeriod) {
          counts.computeIfAbsent(e.ref(), r -> new long[2])[0]++;
        }
      } else if (!firing(e.to()) && firing(e.from())) {
        Instant fired = firedAt.remove(e.ref());
        if (inPeriod) {
          counts.computeIfAbsent(e.ref(), r -> new long[2])[1]++;
          if (fired != null) {
            toClear
                .computeIfAbsent(e.ref(), r -> new ArrayList<>())
                .add(Duration.between(fired, e.t()).toMillis() / 1000.0);
          }
        }
      }
    }
    List<RuleStats> out = new ArrayList<>();
    counts.forEach(
        (ref, c) -> {
          List<Double> times = toClear.getOrDefault(ref, List.of());
          Double mean =
              times.isEmpty()
                  ? null
                  : times.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
          out.add(new RuleStats(ruleOf.get(ref), ref, c[0], c[1], mean));
        });
    return out;
  }

  private static HealthStats healthStats(List<HealthJournal.Entry> entries, Period p) {
    List<HealthJournal.Entry> scores =
        entries.stream().filter(e -> e.hasScore() && !e.t().isBefore(p.from())).toList();
    if (scores.isEmpty()) {
      return new HealthStats(0, null, null, null, List.of());
    }
    int min = scores.stream().mapToInt(HealthJournal.Entry::score).min().orElseThrow();
    int max = scores.stream().mapToInt(HealthJournal.Entry::score).max().orElseThrow();
    double mean = scores.stream().mapToInt(HealthJournal.Entry::score).average().orElseThrow();
    List<Point> series = new ArrayList<>();
    int bucket = Math.max(1, (scores.size() + CHART_POINTS - 1) / CHART_POINTS);
    for (int i = 0; i < scores.size(); i += bucket) {
      List<HealthJournal.Entry> b = scores.subList(i, Math.min(scores.size(), i + bucket));
      series.add(
          new Point(
              b.get(0).t(),
              b.stream().mapToInt(HealthJournal.Entry::score).average().orElseThrow()));
    }
    return new HealthStats(scores.size(), min, mean, max, series);
  }
}
