package io.caretaker.actions;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * What started a run: a rule, an Alertmanager alert, a schedule, a log size, or an operator (one
 * action, or all of them).
 */
public record Trigger(Type type, String ref) {
  public enum Type {
    RULE,
    ALERT,
    SCHEDULE,
    /** A log over its rotation's max_size at a collection. */
    SIZE,
    /**
     * An operator's "run everything" ({@code action run --all}): asked for by hand, yet guarded as
     * the automatic triggers are, since no one chose each action.
     */
    RUN_ALL,
    MANUAL;

    @JsonValue
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    static Type of(String label) {
      return valueOf(label.toUpperCase(Locale.ROOT));
    }
  }

  public static Trigger rule(String ref) {
    return new Trigger(Type.RULE, ref);
  }

  public static Trigger alert(String ref) {
    return new Trigger(Type.ALERT, ref);
  }

  public static Trigger schedule(String ref) {
    return new Trigger(Type.SCHEDULE, ref);
  }

  public static Trigger size(String ref) {
    return new Trigger(Type.SIZE, ref);
  }

  public static Trigger runAll(String ref) {
    return new Trigger(Type.RUN_ALL, ref);
  }

  public static Trigger manual(String ref) {
    return new Trigger(Type.MANUAL, ref);
  }

  /** Automatic triggers obey maintenance, cooldowns and budgets; manual runs only cooldowns. */
  public boolean automatic() {
    return type != Type.MANUAL;
  }
}
