package io.caretaker.actions;

import java.util.Map;

/** A run that failed for a reason the action understands, with the figures it had so far. */
public final class ActionFailure extends Exception {
  private static final long serialVersionUID = 1L;
  private final transient Map<String, Object> details;

  public ActionFailure(String reason, Map<String, Object> details) {
    super(reason);
    this.details = details;
  }

  public Map<String, Object> details() {
    return details;
  }
}
