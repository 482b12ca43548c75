package io.caretaker.actions;

/** What an action knows about its run, and where it tells how far it has come. */
public record ActionContext(String action, boolean dryRun, Trigger trigger, Progress progress) {
  /** A run whose progress no one watches (tests, an action run inside another). */
  public ActionContext(String action, boolean dryRun, Trigger trigger) {
    this(action, dryRun, trigger, new Progress());
  }
}
