package io.caretaker.run;

import io.caretaker.config.ActionConfig;
import io.caretaker.store.StateFile;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Stops an automatic remediation that keeps not working. After {@code circuit.after} consecutive
 * bad automatic runs of an action (judged ineffective, failed or timed out) its circuit opens:
 * automatic triggers skip it ({@code circuit_open}) until an operator resets it, or until {@code
 * circuit.half_open_after} has passed, when one automatic run is let through on trial: good, the
 * circuit closes; bad, it opens again. A good run (effective, or a success nothing can judge)
 * resets the count. Manual runs neither pass through nor count. Kept in {@code
 * data_dir/circuits.json}: a restart does not close a circuit. Not thread-safe: the executor's lock
 * guards it.
 */
final class CircuitBreaker {
  private record State(int bad, Instant openedAt, boolean trial) {
    static final State CLOSED = new State(0, null, false);

    boolean open() {
      return openedAt != null;
    }
  }

  private final Map<String, ActionConfig> configs;
  private final StateFile file;
  private final Map<String, State> states = new HashMap<>();

  CircuitBreaker(Map<String, ActionConfig> configs, StateFile file) {
    this.configs = configs;
    this.file = file;
    file.read()
        .forEach(
            (action, v) -> {
              if (v instanceof Map<?, ?> m && configs.containsKey(action)) {
                states.put(
                    action,
                    new State(
                        m.get("bad") instanceof Number n ? n.intValue() : 0,
                        m.get("opened_at") instanceof String t ? Instant.parse(t) : null,
                        false));
              }
            });
  }

  /**
   * Whether an automatic run of {@code action} may start now: closed, or open past its half-open
   * time with no trial under way (which starts one).
   */
  boolean allows(String action, Instant now) {
    State s = states.getOrDefault(action, State.CLOSED);
    if (!s.open()) {
      return true;
    }
    if (!s.trial()
        && !now.isBefore(s.openedAt().plus(configs.get(action).circuit().halfOpenAfter()))) {
      states.put(action, new State(s.bad(), s.openedAt(), true));
      return true;
    }
    return false;
  }

  /** An automatic run's verdict: {@code good} closes (or keeps closed), bad counts toward open. */
  void record(String action, boolean good, Instant now) {
    State s = states.getOrDefault(action, State.CLOSED);
    State next;
    int bad = s.bad() + 1;
    if (good) {
      next = State.CLOSED;
    } else if (s.open() && !s.trial()) {
      next = new State(bad, s.openedAt(), false); // a run let through otherwise: still open
    } else if (s.open() || bad >= configs.get(action).circuit().after()) {
      next = new State(bad, now, false); // opens, or a failed trial opens it anew
    } else {
      next = new State(bad, null, false);
    }
    if (!next.equals(s)) {
      states.put(action, next);
      save();
    }
  }

  /** An operator closed it. */
  void reset(String action) {
    states.remove(action);
    save();
  }

  boolean open(String action) {
    return states.getOrDefault(action, State.CLOSED).open();
  }

  Optional<Instant> openedAt(String action) {
    return Optional.ofNullable(states.getOrDefault(action, State.CLOSED).openedAt());
  }

  int bad(String action) {
    return states.getOrDefault(action, State.CLOSED).bad();
  }

  private void save() {
    Map<String, Object> out = new LinkedHashMap<>();
    states.forEach(
        (action, s) -> {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("bad", s.bad());
          if (s.open()) {
            m.put("opened_at", s.openedAt().toString());
          }
          out.put(action, m);
        });
    file.write(out);
  }
}
