package io.caretaker.config;

import java.time.Duration;
import java.util.ArrayList;
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
    List<String> warningEscalation,
    List<String> criticalEscalation,
    Optional<String> runbookUrl,
    Optional<Duration> verifyWithin,
    Optional<GuardConfig.Condition> verify,
    boolean waitForGuard) {

  /** The level's escalation steps: each runs when the step before was judged ineffective. */
  public List<String> escalation(boolean critical) {
    return critical ? criticalEscalation : warningEscalation;
  }

  public enum Direction {
    ABOVE,
    BELOW
  }

  /**
   * A level's list: plain names run together when the level is entered; {@code {action: NAME,
   * after: ineffective}} items are the escalation, one after another, each when the one before did
   * not work.
   */
  private static void steps(
      Section actions, String level, List<String> first, List<String> escalation) {
    for (Map.Entry<Integer, ConfigNode> item : actions.items(level)) {
      String key = level + "[" + item.getKey() + "]";
      if (item.getValue() instanceof ConfigNode.Scalar scalar && scalar.text() != null) {
        if (!escalation.isEmpty()) {
          actions.problem(
              key,
              item.getValue().line(),
              "Expecting the level's plain actions before its escalation steps");
        }
        first.add(scalar.text());
        continue;
      }
      Section step = actions.asSection(item.getValue(), key);
      String action = step.requiredString("action");
      step.choice("after", "ineffective", List.of("ineffective"));
      step.finish();
      if (!action.isEmpty()) {
        escalation.add(action);
      }
    }
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
    Optional<Duration> verifyWithin = s.optionalDuration("verify_within");
    boolean waitForGuard = s.bool("wait_for_guard", false);
    Optional<GuardConfig.Condition> verify =
        s.optionalSection("verify").map(GuardConfig::condition);
    verify
        .filter(c -> c.rate().isPresent())
        .ifPresent(c -> s.problem("verify", s.line(), "A verify condition takes no rate"));
    Section actions = s.section("actions");
    List<String> warningActions = new ArrayList<>();
    List<String> warningEscalation = new ArrayList<>();
    List<String> criticalActions = new ArrayList<>();
    List<String> criticalEscalation = new ArrayList<>();
    steps(actions, "warning", warningActions, warningEscalation);
    steps(actions, "critical", criticalActions, criticalEscalation);
    actions.checkActions("warning", warningActions, knownActions);
    actions.checkActions("critical", criticalActions, knownActions);
    actions.checkActions("warning", warningEscalation, knownActions);
    actions.checkActions("critical", criticalEscalation, knownActions);
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
        List.copyOf(warningActions),
        List.copyOf(criticalActions),
        List.copyOf(warningEscalation),
        List.copyOf(criticalEscalation),
        runbookUrl,
        verifyWithin,
        verify,
        waitForGuard);
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
