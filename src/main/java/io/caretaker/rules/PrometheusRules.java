package io.caretaker.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.caretaker.config.RuleConfig;
import io.caretaker.config.Units;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The local rules as Prometheus alerting rules, so central alerting and local remediation share one
 * set of thresholds: each level of each rule is one alert with {@code severity}, the rule's {@code
 * for}, and a {@code remediate} label naming the level's first action (an Alertmanager route with
 * {@code action_from_label: remediate} sends it back to the agent).
 */
public final class PrometheusRules {
  private static final YAMLMapper YAML =
      new YAMLMapper(
          new YAMLFactory()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .disable(YAMLGenerator.Feature.SPLIT_LINES));
  public static final String GROUP = "caretaker-local-rules";

  private PrometheusRules() {}

  public static String export(List<RuleConfig> rules) {
    List<Map<String, Object>> alerts = new ArrayList<>();
    for (RuleConfig r : rules) {
      r.warning().ifPresent(t -> alerts.add(alert(r, "warning", t, r.warningActions())));
      r.critical().ifPresent(t -> alerts.add(alert(r, "critical", t, r.criticalActions())));
    }
    Map<String, Object> group = new LinkedHashMap<>();
    group.put("name", GROUP);
    group.put("rules", alerts);
    try {
      return YAML.writeValueAsString(Map.of("groups", List.of(group)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** "disk-full", "critical" → "DiskFullCritical". */
  public static String alertName(String rule, String severity) {
    StringBuilder b = new StringBuilder();
    for (String part : (rule + "-" + severity).split("[^A-Za-z0-9]+")) {
      if (!part.isEmpty()) {
        b.append(part.substring(0, 1).toUpperCase(Locale.ROOT)).append(part.substring(1));
      }
    }
    return b.toString();
  }

  // Long on purpose: one alerting rule as Prometheus writes it, field by field.
  private static Map<String, Object> alert(
      RuleConfig r, String severity, double threshold, List<String> actions) {
    String op = r.direction() == RuleConfig.Direction.ABOVE ? ">" : "<";
    String selector =
        r.labels().isEmpty()
            ? ""
            : r.labels().entrySet().stream()
                .map(
                    e ->
                        e.getKey()
                            + "=\""
                            + e.getValue().replace("\\", "\\\\").replace("\"", "\\\"")
                            + "\"")
                .collect(Collectors.joining(",", "{", "}"));
    Map<String, Object> alert = new LinkedHashMap<>();
    alert.put("alert", alertName(r.name(), severity));
    alert.put("expr", r.metric() + selector + " " + op + " " + number(threshold));
    if (!r.forDuration().isZero()) {
      alert.put("for", Units.format(r.forDuration()));
    }
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("severity", severity);
    labels.put("caretaker_rule", r.name());
    Optional.ofNullable(actions.isEmpty() ? null : actions.get(0))
        .ifPresent(a -> labels.put("remediate", a));
    alert.put("labels", labels);
    alert.put(
        "annotations",
        Map.of(
            "summary",
                "{{ $labels.instance }}: "
                    + r.metric()
                    + " "
                    + op
                    + " "
                    + number(threshold)
                    + " ("
                    + r.name()
                    + " "
                    + severity
                    + ")",
            "description",
                "Local caretaker rule "
                    + r.name()
                    + ": "
                    + r.metric()
                    + " is"
                    + " {{ $value }}, "
                    + (op.equals(">") ? "above " : "below ")
                    + number(threshold)
                    + (r.forDuration().isZero() ? "" : " for " + Units.format(r.forDuration()))
                    + "."));
    return alert;
  }

  private static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
