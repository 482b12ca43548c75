package io.caretaker.actions;

import java.util.Optional;

/** The newest recorded run of an action (the run history, seen from an action that reports). */
public interface RunLog {
  Optional<RunRecord> last(String action);
}
