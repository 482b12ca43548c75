package io.caretaker.actions;

import java.util.Map;
import java.util.Set;

/**
 * A remedial action. Runs only through the executor ({@code run.ActionExecutor}), on a worker
 * thread, never twice at once; an interrupt means the run was cancelled (timeout) and should stop
 * promptly.
 */
public interface Action {
  /** The figures this action reports, each feeding its counter ({@link Figure}). */
  default Set<Figure> figures() {
    return Set.of();
  }

  /**
   * Does the work, or with {@code ctx.dryRun()} only plans it and changes nothing. Returns the
   * figures for the run record; throws {@link ActionFailure} (with figures so far) on failure.
   */
  Map<String, Object> run(ActionContext ctx) throws Exception;
}
