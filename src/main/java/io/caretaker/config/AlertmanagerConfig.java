package io.caretaker.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** How Alertmanager webhook alerts map to actions: routes, first match wins. */
public record AlertmanagerConfig(boolean matchInstance, Duration dedupWindow, List<Route> routes) {

  /** Runs {@code action}, or the action named by label {@code actionFromLabel}, on a match. */
  public record Route(
      List<LabelMatcher> matchers,
      Optional<String> action,
      Optional<String> actionFromLabel,
      boolean onResolved) {}

  static AlertmanagerConfig read(Section s, Set<String> knownActions) {
    boolean matchInstance = s.bool("match_instance", true);
    Duration dedup = s.duration("dedup_window", Duration.ofMinutes(10), Duration.ZERO);
    List<Route> routes = s.sections("routes").stream().map(r -> route(r, knownActions)).toList();
    s.finish();
    return new AlertmanagerConfig(matchInstance, dedup, routes);
  }

  private static Route route(Section r, Set<String> knownActions) {
    List<LabelMatcher> matchers = new ArrayList<>();
    List<String> texts = r.strings("matchers", List.of());
    for (int i = 0; i < texts.size(); i++) {
      try {
        matchers.add(LabelMatcher.parse(texts.get(i)));
      } catch (IllegalArgumentException e) {
        r.problem("matchers[" + i + "]", e.getMessage() + ". Found: \"" + texts.get(i) + "\"");
      }
    }
    Optional<String> action = r.optionalString("action");
    Optional<String> fromLabel = r.optionalString("action_from_label");
    action.ifPresent(a -> r.checkActions("action", List.of(a), knownActions));
    if (action.isPresent() == fromLabel.isPresent()) {
      r.problem("action", r.line(), "Expecting exactly one of action or action_from_label");
    }
    boolean onResolved = r.bool("on_resolved", false);
    r.finish();
    return new Route(List.copyOf(matchers), action, fromLabel, onResolved);
  }
}
