package io.caretaker.actions;

import java.util.Locale;

/**
 * Why a run did not start: the executor's guards, a paused schedule, or the action finding another
 * agent at work. A closed set: each is a label of {@code caretaker_action_skipped_total} from zero.
 */
public enum SkipReason {
  /** The same action is running now. */
  RUNNING,
  /** Maintenance mode is on (automatic triggers only). */
  MAINTENANCE,
  /** The action ran less than its cooldown ago. */
  COOLDOWN,
  /** The budget of automatic runs per window is spent. */
  BUDGET,
  /** The schedule that came due is paused. */
  PAUSED,
  /** Another agent holds the action's lock. */
  LOCKED,
  /** The system it would work on is busy (a long transaction open, locks waiting). */
  BUSY,
  /** Its last automatic runs did not work: the circuit is open (automatic triggers only). */
  CIRCUIT_OPEN,
  /** A guard condition or time window does not hold now (manual runs pass with force). */
  GUARD,
  /** Every fleet place of the action was held by other agents for as long as it could wait. */
  FLEET_BUSY;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
