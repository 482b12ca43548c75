package io.caretaker.rules;

import java.time.Instant;
import java.util.Map;

/**
 * A read-only view of one rule instance (a rule applied to one matching series), for the API,
 * metrics and health reports. {@code stale} means the series was missing from the last snapshot.
 */
public record RuleInstance(
    String rule,
    Map<String, String> labels,
    double value,
    RuleState state,
    Instant since,
    boolean stale) {

  /** "rule{label="value",...}", the trigger reference of the runs this instance starts. */
  public String ref() {
    return ref(rule, labels);
  }

  static String ref(String rule, Map<String, String> labels) {
    StringBuilder out = new StringBuilder(rule).append('{');
    labels.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e -> {
              if (out.charAt(out.length() - 1) != '{') {
                out.append(',');
              }
              out.append(e.getKey()).append("=\"").append(e.getValue()).append('"');
            });
    return out.append('}').toString();
  }
}
