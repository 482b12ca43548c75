package io.caretaker.actions;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Whether a run fixed what it was run for. A rule's run is judged by its rule instance: effective
 * when the instance leaves the firing state within the verification cycles after the run ends,
 * ineffective when it does not. Runs nothing can judge (manual, scheduled, dry runs) are unknown; a
 * rule's run is unknown until its verdict too (and stays so when the agent stopped meanwhile).
 */
public enum Effect {
  EFFECTIVE,
  INEFFECTIVE,
  UNKNOWN;

  @JsonValue
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static Effect of(String label) {
    return valueOf(label.toUpperCase(Locale.ROOT));
  }
}
