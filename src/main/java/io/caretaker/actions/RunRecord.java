package io.caretaker.actions;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One run of an action, as docs/operations.md shows it: outcome, why it was skipped, and the
 * action's own figures in {@code details}. Immutable; {@link #toJson()} is the API and history
 * form. A run under way is {@link Outcome#RUNNING} with no {@code finishedAt}.
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
    SUCCESS,
    FAILURE,
    SKIPPED,
    TIMEOUT,
    /** Started and not finished: the record written before the action runs. */
    RUNNING;

    /** The outcomes a finished run can have (the labels of the run counters). */
    public static final List<Outcome> FINISHED = List.of(SUCCESS, FAILURE, SKIPPED, TIMEOUT);

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public RunRecord {
    details =
        details == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(details));
  }

  /** A skip that stands for {@code count} skips of one window (see the executor). */
  public long skipCount() {
    return details.get("count") instanceof Number n ? n.longValue() : 1;
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
    json.put("finished_at", finishedAt == null ? null : finishedAt.toString());
    json.put("outcome", outcome.label());
    json.put("reason", reason);
    json.put("dry_run", dryRun);
    json.put("details", details);
    return json;
  }

  @SuppressWarnings("unchecked")
  public static RunRecord fromJson(Map<String, Object> json) {
    Map<String, Object> trigger = (Map<String, Object>) json.get("trigger");
    return new RunRecord(
        ((Number) json.get("id")).longValue(),
        (String) json.get("action"),
        new Trigger(
            Trigger.Type.valueOf(((String) trigger.get("type")).toUpperCase(Locale.ROOT)),
            (String) trigger.get("ref")),
        Instant.parse((String) json.get("started_at")),
        json.get("finished_at") == null ? null : Instant.parse((String) json.get("finished_at")),
        Outcome.valueOf(((String) json.get("outcome")).toUpperCase(Locale.ROOT)),
        (String) json.get("reason"),
        Boolean.TRUE.equals(json.get("dry_run")),
        (Map<String, Object>) json.get("details"));
  }
}
