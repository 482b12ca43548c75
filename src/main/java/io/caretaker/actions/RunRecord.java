package io.caretaker.actions;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One run of an action, as CONTRACT.md shows it: outcome, why it was skipped, and the action's
 * own figures in {@code details}. Immutable; {@link #toJson()} is the API and history form.
 */
public record RunRecord(
    long id,
    String action,
    Trigger trigger,
    Instant startedAt,
    Instant finishedAt,
    Outcome outcome,
    String reason,
    boolean dryRun,
    Map<String, Object> details) {

  public enum Outcome {
    SUCCESS, FAILURE, SKIPPED, TIMEOUT;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public RunRecord {
    details = details == null ? Map.of() : java.util.Collections.unmodifiableMap(
        new LinkedHashMap<>(details));
  }

  /** Runs that did something (or tried): what cooldowns and budgets count. */
  public boolean ran() {
    return outcome != Outcome.SKIPPED && !dryRun;
  }

  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", id);
    json.put("action", action);
    Map<String, Object> trig = new LinkedHashMap<>();
    trig.put("type", trigger.type().label());
    trig.put("ref", trigger.ref());
    json.put("trigger", trig);
    json.put("started_at", startedAt.toString());
    json.put("finished_at", finishedAt.toString());
    json.put("outcome", outcome.label());
    json.put("reason", reason);
    json.put("dry_run", dryRun);
    json.put("details", details);
    return json;
  }

  @SuppressWarnings("unchecked")
  static RunRecord fromJson(Map<String, Object> json) {
    Map<String, Object> trigger = (Map<String, Object>) json.get("trigger");
    return new RunRecord(
        ((Number) json.get("id")).longValue(),
        (String) json.get("action"),
        new Trigger(Trigger.Type.valueOf(((String) trigger.get("type")).toUpperCase(Locale.ROOT)),
            (String) trigger.get("ref")),
        Instant.parse((String) json.get("started_at")),
        Instant.parse((String) json.get("finished_at")),
        Outcome.valueOf(((String) json.get("outcome")).toUpperCase(Locale.ROOT)),
        (String) json.get("reason"),
        Boolean.TRUE.equals(json.get("dry_run")),
        (Map<String, Object>) json.get("details"));
  }
}
