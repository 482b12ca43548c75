package io.caretaker.rules;

/** Where a rule instance stands; the ordinal is the value of {@code caretaker_rule_state}. */
public enum RuleState {
  OK,
  PENDING,
  WARNING,
  CRITICAL;

  public boolean firing() {
    return this == WARNING || this == CRITICAL;
  }
}
