package io.caretaker.actions;

import java.util.List;

/**
 * What a health report shows: the score and one line per check, as the rules judged them in the
 * last cycle (the daemon hands them over; actions do not reach back into the rule engine).
 */
public record HealthSummary(int score, List<Check> checks) {
  /** One check: its status (PASS, WARN, FAIL), what was checked and the detail. */
  public record Check(String status, String name, String detail) {}

  public HealthSummary {
    checks = List.copyOf(checks);
  }
}
