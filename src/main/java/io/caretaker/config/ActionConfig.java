package io.caretaker.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A named remedial action: the settings every action has (cooldown, timeout, dry run, budget) and
 * its type's own settings in {@link #spec()}.
 */
public record ActionConfig(
    String name,
    String type,
    Duration cooldown,
    Duration timeout,
    boolean dryRun,
    Optional<Budget> budget,
    List<String> tags,
    Circuit circuit,
    GuardConfig guard,
    boolean silence,
    Optional<Fleet> fleet,
    ActionSpec spec) {

  /**
   * At most {@code maxConcurrent} agents sharing the Redis run the action at once (places under
   * {@code key}); a run waits up to {@code waitFor} for one, else it is skipped.
   */
  public record Fleet(String key, int maxConcurrent, Duration waitFor) {}

  static final Duration DEFAULT_COOLDOWN = Duration.ofMinutes(5);
  static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

  /**
   * After {@code after} consecutive bad automatic runs, automatic triggers skip the action until an
   * operator resets it or {@code halfOpenAfter} passes (one trial run).
   */
  public record Circuit(int after, Duration halfOpenAfter) {
    static final Circuit DEFAULT = new Circuit(3, Duration.ofHours(1));
  }

  /** At most {@code runs} automatic runs per {@code per}; beyond it automatic triggers skip. */
  public record Budget(int runs, Duration per) {}

  static ActionConfig read(String name, Section s) {
    String type = s.choice("type", "", ActionSpec.TYPES);
    if (!s.has("type")) {
      s.problem(
          "type",
          s.line(),
          "Missing required property; one of " + String.join(", ", ActionSpec.TYPES));
    }
    // A log rotation is due whenever its file is over max_size: a cooldown would let it grow on.
    Duration cooldown =
        s.duration(
            "cooldown",
            type.equals("log-rotation") ? Duration.ZERO : DEFAULT_COOLDOWN,
            Duration.ZERO);
    Duration timeout = s.duration("timeout", DEFAULT_TIMEOUT, Duration.ofMillis(1));
    boolean dryRun = s.bool("dry_run", false);
    Optional<Budget> budget =
        s.optionalSection("budget")
            .map(
                b -> {
                  Budget parsed =
                      new Budget(
                          b.integer("runs", 3, 1, Integer.MAX_VALUE),
                          b.duration("per", Duration.ofHours(1), Duration.ofSeconds(1)));
                  b.finish();
                  return parsed;
                });
    List<String> tags = s.strings("tags", List.of());
    Circuit circuit =
        s.optionalSection("circuit")
            .map(
                c -> {
                  Circuit parsed =
                      new Circuit(
                          c.integer("after", 3, 1, 1000),
                          c.duration(
                              "half_open_after", Duration.ofHours(1), Duration.ofSeconds(1)));
                  c.finish();
                  return parsed;
                })
            .orElse(Circuit.DEFAULT);
    GuardConfig guard = GuardConfig.read(s);
    boolean silence = s.bool("silence", false);
    Optional<Fleet> fleet =
        s.optionalSection("fleet")
            .map(
                f -> {
                  f.choice("lock", "redis", List.of("redis"));
                  Fleet parsed =
                      new Fleet(
                          f.optionalString("key").orElse(name),
                          f.integer("max_concurrent", 1, 1, 10_000),
                          f.duration("wait", Duration.ZERO, Duration.ZERO));
                  f.finish();
                  return parsed;
                });
    ActionSpec spec = ActionSpec.read(type, s);
    s.finish();
    return new ActionConfig(
        name, type, cooldown, timeout, dryRun, budget, tags, circuit, guard, silence, fleet, spec);
  }
}
