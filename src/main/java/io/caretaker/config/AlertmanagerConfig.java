package io.caretaker.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How Alertmanager webhook alerts map to actions (routes, first match wins), and where the silences
 * of runs that would page someone are created ({@code silence}).
 */
public record AlertmanagerConfig(
    boolean matchInstance,
    Duration dedupWindow,
    Duration verifyWithin,
    List<Route> routes,
    Optional<Silence> silence) {

  /** Alertmanager's address, this host's alerts to silence, and the margin after a run. */
  public record Silence(URI url, List<LabelMatcher> matchers, Duration margin) {}

  /** Runs {@code action}, or the action named by label {@code actionFromLabel}, on a match. */
  public record Route(
      List<LabelMatcher> matchers,
      Optional<String> action,
      Optional<String> actionFromLabel,
      boolean onResolved) {}

  static AlertmanagerConfig read(Section s, Set<String> knownActions) {
    boolean matchInstance = s.bool("match_instance", true);
    Duration dedup = s.duration("dedup_window", Duration.ofMinutes(10), Duration.ZERO);
    Duration verify = s.duration("verify_within", Duration.ofMinutes(30), Duration.ofSeconds(1));
    List<Route> routes = s.sections("routes").stream().map(r -> route(r, knownActions)).toList();
    Optional<Silence> silence = s.optionalSection("silence").map(AlertmanagerConfig::silence);
    s.finish();
    return new AlertmanagerConfig(matchInstance, dedup, verify, routes, silence);
  }

  private static Silence silence(Section s) {
    String url = s.requiredString("url");
    URI uri = URI.create("http://127.0.0.1:9093");
    try {
      uri = new URI(url.replaceAll("/+$", ""));
      if (!List.of("http", "https").contains(uri.getScheme()) || uri.getHost() == null) {
        throw new URISyntaxException(url, "not http(s)");
      }
    } catch (URISyntaxException e) {
      s.problem("url", s.line(), "Expecting Alertmanager's address, like http://127.0.0.1:9093");
    }
    List<LabelMatcher> matchers = matchers(s);
    if (matchers.isEmpty()) {
      s.problem(
          "matchers",
          s.line(),
          "Expecting at least one matcher for this host's alerts, like instance=\"trade-01:9100\"");
    }
    Duration margin = s.duration("margin", Duration.ofMinutes(2), Duration.ZERO);
    s.finish();
    return new Silence(uri, matchers, margin);
  }

  private static List<LabelMatcher> matchers(Section r) {
    List<LabelMatcher> matchers = new ArrayList<>();
    List<String> texts = r.strings("matchers", List.of());
    for (int i = 0; i < texts.size(); i++) {
      try {
        matchers.add(LabelMatcher.parse(texts.get(i)));
      } catch (IllegalArgumentException e) {
        r.problem("matchers[" + i + "]", e.getMessage() + ". Found: \"" + texts.get(i) + "\"");
      }
    }
    return List.copyOf(matchers);
  }

  private static Route route(Section r, Set<String> knownActions) {
    List<LabelMatcher> matchers = matchers(r);
    Optional<String> action = r.optionalString("action");
    Optional<String> fromLabel = r.optionalString("action_from_label");
    action.ifPresent(a -> r.checkActions("action", List.of(a), knownActions));
    if (action.isPresent() == fromLabel.isPresent()) {
      r.problem("action", r.line(), "Expecting exactly one of action or action_from_label");
    }
    boolean onResolved = r.bool("on_resolved", false);
    r.finish();
    return new Route(matchers, action, fromLabel, onResolved);
  }
}
