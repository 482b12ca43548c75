package io.caretaker.actions;

import java.util.Map;

/**
 * A run that found, once started, that it must not go on (another agent holds the lock): recorded
 * as skipped with the reason, like the executor's own guards, and not counted as a run.
 */
public final class ActionSkipped extends Exception {
  private static final long serialVersionUID = 1L;
  private final transient Map<String, Object> details;

  private final SkipReason reason;

  public ActionSkipped(SkipReason reason, Map<String, Object> details) {
    super(reason.label());
    this.reason = reason;
    this.details = details;
  }

  public SkipReason reason() {
    return reason;
  }

  public Map<String, Object> details() {
    return details;
  }
}
