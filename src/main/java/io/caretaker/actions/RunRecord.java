package io.caretaker.actions;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One run of an action, as docs/operations.md shows it: outcome, why it was skipped, and the
 * action's own figures in {@code details}. Immutable; Jackson maps it ({@link #toJson()} for the
 * API, a line of the history file). A run under way is {@link Outcome#RUNNING} with no {@code
 * finishedAt}.
 */
@JsonPropertyOrder({
  "id",
  "action",
  "trigger",
  "started_at",
  "finished_at",
  "outcome",
  "reason",
  "dry_run",
  "details",
  "effect",
  "effect_detail"
})
public record RunRecord(
    long id,
    String action,
    Trigger trigger,
    @JsonProperty("started_at") Instant startedAt,
    @JsonProperty("finished_at") Instant finishedAt,
    Outcome outcome,
    String reason,
    @JsonProperty("dry_run") boolean dryRun,
    Map<String, Object> details,
    Effect effect,
    @JsonProperty("effect_detail") Map<String, Object> effectDetail) {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  public enum Outcome {
    SUCCESS,
    FAILURE,
    SKIPPED,
    TIMEOUT,
    /** Started and not finished: the record written before the action runs. */
    RUNNING;

    /** The outcomes a finished run can have (the labels of the run counters). */
    public static final List<Outcome> FINISHED = List.of(SUCCESS, FAILURE, SKIPPED, TIMEOUT);

    @JsonValue
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Outcome of(String label) {
      return valueOf(label.toUpperCase(Locale.ROOT));
    }
  }

  @JsonCreator
  public RunRecord {
    details =
        details == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(details));
    effect = effect == null ? Effect.UNKNOWN : effect;
    effectDetail =
        effectDetail == null
            ? Map.of()
            : Collections.unmodifiableMap(new LinkedHashMap<>(effectDetail));
  }

  /** A record not judged (yet): effect unknown. */
  public RunRecord(
      long id,
      String action,
      Trigger trigger,
      Instant startedAt,
      Instant finishedAt,
      Outcome outcome,
      String reason,
      boolean dryRun,
      Map<String, Object> details) {
    this(id, action, trigger, startedAt, finishedAt, outcome, reason, dryRun, details, null, null);
  }

  /** This record with its verdict: the effect, and what was measured to reach it. */
  public RunRecord judged(Effect verdict, Map<String, Object> detail) {
    return new RunRecord(
        id,
        action,
        trigger,
        startedAt,
        finishedAt,
        outcome,
        reason,
        dryRun,
        details,
        verdict,
        detail);
  }

  /** A skip that stands for {@code count} skips of one window (see the executor). */
  public long skipCount() {
    return details.get("count") instanceof Number n ? n.longValue() : 1;
  }

  /** Runs that did something (or tried): what cooldowns and budgets count. */
  public boolean ran() {
    return outcome != Outcome.SKIPPED && !dryRun;
  }

  /** The API form: the record through Jackson, as a map (Vert.x's JsonObject takes it). */
  public Map<String, Object> toJson() {
    return JSON.convertValue(this, MAP);
  }

  /** One line of the history file. */
  public String toJsonLine() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a run record did not serialize", e);
    }
  }

  public static RunRecord fromJson(String line) throws JsonProcessingException {
    return JSON.readValue(line, RunRecord.class);
  }
}
