package io.caretaker.run;

import io.caretaker.actions.RunRecord;
import java.util.Map;

/**
 * What the executor tells as runs go, on the thread where it happens: keep it short and never
 * block. A run that was skipped is only {@link #finished}.
 */
public interface RunListener {
  /** The run's record as it starts ({@code outcome: running}). */
  default void started(RunRecord running) {}

  /**
   * A running run's figures moved (told at most once per {@link ActionExecutor#PROGRESS_EVERY}).
   */
  default void progressed(RunRecord running, Map<String, Object> progress) {}

  /** The run's last record: finished, timed out, or skipped. */
  default void finished(RunRecord record) {}
}
