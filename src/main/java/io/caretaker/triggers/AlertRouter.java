package io.caretaker.triggers;

import io.caretaker.config.AlertmanagerConfig;
import io.caretaker.config.AlertmanagerConfig.Route;
import io.caretaker.config.LabelMatcher;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides each webhook alert's fate: the action it triggers, or why it is ignored. Routes are tried
 * in order, first match wins; then the status, this agent's identity, the action's name and the
 * dedup window. Every alert is counted as received and, if not triggering, as ignored with its
 * reason, so received = triggered + ignored.
 */
public final class AlertRouter {
  /** Why an alert triggered nothing; the label values of caretaker_alerts_ignored_total. */
  public enum Ignored {
    NO_ROUTE,
    OTHER_INSTANCE,
    DUPLICATE,
    RESOLVED,
    UNKNOWN_ACTION;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One alert's fate: the {@code actions} to run (one, or several when an {@code action_from_label}
   * label lists them, comma-separated, as `rules export` writes them), or none and {@code ignored}
   * with a detail.
   */
  public record Decision(
      AlertPayload.Alert alert, List<String> actions, Optional<Ignored> ignored, String detail) {
    /** The run record's trigger ref: "alertname fingerprint". */
    public String ref() {
      return alert.name() + " " + alert.fingerprint();
    }
  }

  /** Bounds the dedup memory whatever Alertmanager sends: the oldest entries go first. */
  static final int MAX_REMEMBERED = 100_000;

  private final AlertmanagerConfig config;
  private final Set<String> actions;
  private final InstanceIdentity identity;
  private final Clock clock;
  private final Counter received;
  private final Counter ignored;
  private final Counter triggered;

  /** fingerprint|startsAt|status → when it last triggered, oldest first. */
  private final LinkedHashMap<String, Instant> recent = new LinkedHashMap<>();

  public AlertRouter(
      AlertmanagerConfig config,
      Set<String> actions,
      InstanceIdentity identity,
      Clock clock,
      PrometheusRegistry registry) {
    this.config = config;
    this.actions = Set.copyOf(actions);
    this.identity = identity;
    this.clock = clock;
    received =
        Counter.builder()
            .name("caretaker_alerts_received_total")
            .help("Alerts received on the Alertmanager webhook, by status.")
            .labelNames("status")
            .register(registry);
    ignored =
        Counter.builder()
            .name("caretaker_alerts_ignored_total")
            .help("Webhook alerts that triggered no action, by reason.")
            .labelNames("reason")
            .register(registry);
    triggered =
        Counter.builder()
            .name("caretaker_alerts_triggered_total")
            .help("Webhook alerts that triggered an action (the run may still be skipped).")
            .register(registry);
    received.labelValues("firing");
    received.labelValues("resolved");
    for (Ignored reason : Ignored.values()) {
      ignored.labelValues(reason.label());
    }
  }

  /** The fate of every alert of one body, in order. */
  public synchronized List<Decision> route(AlertPayload payload) {
    Instant now = clock.instant();
    forgetOlderThan(now.minus(config.dedupWindow()));
    List<Decision> decisions = new ArrayList<>(payload.alerts().size());
    for (AlertPayload.Alert alert : payload.alerts()) {
      received.labelValues(alert.status()).inc();
      Decision d = decide(alert, now);
      if (d.ignored().isPresent()) {
        ignored.labelValues(d.ignored().get().label()).inc();
      } else {
        triggered.inc();
      }
      decisions.add(d);
    }
    return decisions;
  }

  // Long on purpose: an alert's fate, one reason after another in the order they are checked.
  private Decision decide(AlertPayload.Alert alert, Instant now) {
    Optional<Route> match =
        config.routes().stream()
            .filter(r -> r.matchers().stream().allMatch(m -> m.matches(alert.labels())))
            .findFirst();
    if (match.isEmpty()) {
      return ignore(alert, Ignored.NO_ROUTE, "no route matches");
    }
    Route route = match.get();
    if (!alert.firing() && !route.onResolved()) {
      return ignore(alert, Ignored.RESOLVED, "resolved, and the route does not set on_resolved");
    }
    if (config.matchInstance() && !identity.names(alert.labels())) {
      return ignore(
          alert,
          Ignored.OTHER_INSTANCE,
          "instance/host label names another host ("
              + alert.labels().getOrDefault("instance", alert.labels().getOrDefault("host", "none"))
              + ")");
    }
    List<String> named =
        route
            .action()
            .map(List::of)
            .orElseGet(
                () ->
                    Arrays.stream(
                            alert
                                .labels()
                                .getOrDefault(route.actionFromLabel().orElseThrow(), "")
                                .split(",", -1))
                        .map(String::trim)
                        .distinct()
                        .toList());
    List<String> unknown = named.stream().filter(a -> !actions.contains(a)).toList();
    if (!unknown.isEmpty()) {
      return ignore(
          alert,
          Ignored.UNKNOWN_ACTION,
          route.action().isPresent()
              ? named.get(0)
              : "label "
                  + route.actionFromLabel().get()
                  + "=\""
                  + alert.labels().get(route.actionFromLabel().get())
                  + "\" names no configured action "
                  + unknown);
    }
    String key = alert.fingerprint() + "|" + alert.startsAt() + "|" + alert.status();
    if (recent.containsKey(key)) {
      return ignore(alert, Ignored.DUPLICATE, "already triggered at " + recent.get(key));
    }
    recent.put(key, now);
    if (recent.size() > MAX_REMEMBERED) {
      Iterator<String> oldest = recent.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
    return new Decision(
        alert,
        named,
        Optional.empty(),
        "routed by " + route.matchers().stream().map(LabelMatcher::toString).toList());
  }

  private void forgetOlderThan(Instant limit) {
    Iterator<Map.Entry<String, Instant>> it = recent.entrySet().iterator();
    while (it.hasNext() && !it.next().getValue().isAfter(limit)) {
      it.remove();
    }
  }

  private static Decision ignore(AlertPayload.Alert alert, Ignored reason, String detail) {
    return new Decision(alert, List.of(), Optional.of(reason), detail);
  }
}
