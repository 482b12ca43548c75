package io.caretaker.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A threshold rule on one metric. Each series matching {@code labels} is its own instance. {@code
 * clear} is the hysteresis level the value must pass to return to ok.
 */
public record RuleConfig(
    String name,
    String metric,
    Map<String, String> labels,
    Optional<Double> warning,
    Optional<Double> critical,
    Direction direction,
    Duration forDuration,
    double clear,
    List<String> warningActions,
    List<String> criticalActions,
    Optional<String> runbookUrl) {

  public enum Direction {
    ABOVE,
    BELOW
  }

  static RuleConfig read(Section s, Set<String> knownActions) {
    String name = s.requiredString("name");
    String metric = s.metricName("metric");
    Map<String, String> labels = s.stringMap("labels");
    Optional<Double> warning = s.optionalNumber("warning");
    Optional<Double> critical = s.optionalNumber("critical");
    Direction direction =
        s.choice("direction", "above", List.of("above", "below")).equals("above")
            ? Direction.ABOVE
            : Direction.BELOW;
    Duration forDuration = s.duration("for", Duration.ZERO, Duration.ZERO);
    if (warning.isEmpty() && critical.isEmpty() && !s.has("warning") && !s.has("critical")) {
      s.problem("warning", s.line(), "Expecting warning, critical or both");
    }
    double firstLevel = warning.or(() -> critical).orElse(0.0);
    double clear = s.optionalNumber("clear").orElse(firstLevel);
    Optional<String> runbookUrl = s.optionalString("runbook_url");
    runbookUrl
        .filter(u -> !u.matches("https?://\\S+"))
        .ifPresent(
            u ->
                s.problem(
                    "runbook_url", s.line(), "Expecting an http(s) URL. Found: \"" + u + "\""));
    checkOrder(s, direction, warning, critical, clear, firstLevel);
    Section actions = s.section("actions");
    List<String> warningActions = actions.strings("warning", List.of());
    List<String> criticalActions = actions.strings("critical", List.of());
    actions.checkActions("warning", warningActions, knownActions);
    actions.checkActions("critical", criticalActions, knownActions);
    actions.finish();
    s.finish();
    return new RuleConfig(
        name,
        metric,
        labels,
        warning,
        critical,
        direction,
        forDuration,
        clear,
        warningActions,
        criticalActions,
        runbookUrl);
  }

  /** Levels must get worse in the rule's direction, and clear must not be worse than the first. */
  private static void checkOrder(
      Section s,
      Direction direction,
      Optional<Double> warning,
      Optional<Double> critical,
      double clear,
      double firstLevel) {
    int sign = direction == Direction.ABOVE ? 1 : -1;
    String worse = direction == Direction.ABOVE ? "above" : "below";
    if (warning.isPresent()
        && critical.isPresent()
        && sign * (critical.get() - warning.get()) < 0) {
      s.problem(
          "critical",
          "Expecting a level at or "
              + worse
              + " warning ("
              + warning.get()
              + ") for direction "
              + worse
              + ". Found: "
              + critical.get());
    }
    if (sign * (clear - firstLevel) > 0) {
      s.problem(
          "clear",
          "Expecting a level that is not "
              + worse
              + " the first threshold ("
              + firstLevel
              + "). Found: "
              + clear);
    }
  }
}
