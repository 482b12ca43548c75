package io.caretaker.rules;

import io.caretaker.config.GuardConfig;
import io.caretaker.config.RuleConfig;
import io.caretaker.config.RuleConfig.Direction;
import io.caretaker.metrics.Series;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Evaluates threshold rules against each snapshot. Pure: snapshot and state in, decisions out; no
 * I/O and no clock of its own, so every transition is testable with chosen instants.
 *
 * <p>Per instance: ok → pending (threshold crossed, waiting out {@code for}) → warning/critical,
 * moving between the two directly, and back to ok only once the value passes {@code clear}.
 * Entering warning or critical yields that level's actions. A series missing from a snapshot leaves
 * its instance as it was, marked stale: absent data never fires.
 *
 * <p>Closed loop: once a rule-started action finishes ({@link #actionFinished}), the instance has
 * {@link #RECOVERY_CYCLES} evaluations to return to ok; if it does not, the attempt counts as not
 * recovered and the instance's next warning runs the critical actions instead.
 */
public final class RuleEngine {
  /** Evaluations a remediated instance has to return to ok before it counts as not recovered. */
  public static final int RECOVERY_CYCLES = 3;

  private final List<RuleConfig> rules;
  private final Set<String> metricNames;
  private final Map<String, Instance> instances = new LinkedHashMap<>();

  /** Actions to start because an instance entered {@code level}. */
  public record Submission(
      String rule, String ref, RuleState level, List<String> actions, double value) {}

  /** Whether the instance an action tried to fix recovered in time. */
  public record Remediation(
      String rule,
      String ref,
      String action,
      long runId,
      boolean recovered,
      double before,
      double after) {}

  public record Evaluation(List<Submission> submissions, List<Remediation> remediations) {}

  /**
   * One run of an instance's escalation chain since it last fired: the action, its run, and its
   * verdict ("effective", "ineffective", or "pending" while watched).
   */
  public record ChainStep(String action, long runId, String verdict) {}

  private static final class Instance {
    final RuleConfig rule;
    final Map<String, String> labels;
    final String ref;
    RuleState state = RuleState.OK;
    Instant since;
    Instant pendingSince;
    double value = Double.NaN;
    boolean stale;
    boolean escalate;
    final List<Watch> watches = new ArrayList<>();
    // The escalation chain of the current firing: its runs, the actions of the step now under way,
    // the next escalation step, and the level whose steps it follows.
    final List<ChainStep> chain = new ArrayList<>();
    Set<String> stepActions = Set.of();
    final Set<String> heldBack = new LinkedHashSet<>(); // by a guard, to ask again
    int nextStep;
    boolean chainCritical;

    Instance(RuleConfig rule, Map<String, String> labels, Instant now) {
      this.rule = rule;
      this.labels = Map.copyOf(labels);
      this.ref = RuleInstance.ref(rule.name(), labels);
      this.since = now;
    }
  }

  private static final class Watch {
    final String action;
    final long runId;
    final double before;
    int cyclesLeft = RECOVERY_CYCLES;
    Instant deadline; // with verify_within: set at the first cycle after the run ended

    Watch(String action, long runId, double before) {
      this.action = action;
      this.runId = runId;
      this.before = before;
    }
  }

  public RuleEngine(List<RuleConfig> rules) {
    this.rules = List.copyOf(rules);
    this.metricNames =
        rules.stream()
            .flatMap(
                r ->
                    Stream.concat(
                        Stream.of(r.metric()),
                        r.verify().map(GuardConfig.Condition::metric).stream()))
            .collect(Collectors.toSet());
  }

  /** The rules as configured, in order. */
  public List<RuleConfig> rules() {
    return rules;
  }

  /** Applies one snapshot taken at {@code now}. */
  public synchronized Evaluation evaluate(MetricSnapshots metrics, Instant now) {
    Map<String, List<Series>> index = Series.index(metrics, metricNames);
    List<Submission> submissions = new ArrayList<>();
    List<Remediation> remediations = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (RuleConfig rule : rules) {
      for (Series s : index.getOrDefault(rule.metric(), List.of())) {
        if (!s.labels().entrySet().containsAll(rule.labels().entrySet())
            || Double.isNaN(s.value())) {
          continue;
        }
        Instance instance =
            instances.computeIfAbsent(
                RuleInstance.ref(rule.name(), s.labels()),
                ref -> new Instance(rule, s.labels(), now));
        seen.add(instance.ref);
        instance.stale = false;
        instance.value = s.value();
        step(instance, now, submissions);
        askAgain(instance, submissions);
        settleWatches(instance, now, index, remediations, submissions);
      }
    }
    instances.values().forEach(i -> i.stale = !seen.contains(i.ref));
    return new Evaluation(submissions, remediations);
  }

  /**
   * A rule-started run ended: watch whether its instance recovers within {@link #RECOVERY_CYCLES}
   * cycles ({@code before}: the instance's value when the run was asked for).
   */
  public synchronized void actionFinished(String ref, String action, long runId, double before) {
    Instance instance = instances.get(ref);
    if (instance != null) {
      instance.watches.add(new Watch(action, runId, before));
      instance.chain.add(new ChainStep(action, runId, "pending"));
    }
  }

  /**
   * A guard held back a run this rule asked for: with {@code wait_for_guard} it is asked for again
   * each cycle while the instance still fires, instead of the step being skipped.
   */
  public synchronized void heldBack(String ref, String action) {
    Instance instance = instances.get(ref);
    if (instance != null && instance.rule.waitForGuard() && instance.state.firing()) {
      instance.heldBack.add(action);
    }
  }

  private static void askAgain(Instance i, List<Submission> submissions) {
    if (i.heldBack.isEmpty()) {
      return;
    }
    if (i.state.firing()) {
      submissions.add(
          new Submission(i.rule.name(), i.ref, i.state, List.copyOf(i.heldBack), i.value));
    }
    i.heldBack.clear();
  }

  /** The instance's escalation chain since it last fired (empty when it has not). */
  public synchronized List<ChainStep> chain(String ref) {
    Instance instance = instances.get(ref);
    return instance == null ? List.of() : List.copyOf(instance.chain);
  }

  public synchronized List<RuleInstance> instances() {
    return instances.values().stream()
        .map(i -> new RuleInstance(i.rule.name(), i.labels, i.value, i.state, i.since, i.stale))
        .toList();
  }

  private void step(Instance i, Instant now, List<Submission> out) {
    RuleState crossed = crossed(i.rule, i.value);
    switch (i.state) {
      case OK -> {
        if (crossed != RuleState.OK) {
          i.state = RuleState.PENDING;
          i.since = now;
          i.pendingSince = now;
          step(i, now, out);
        }
      }
      case PENDING -> {
        if (crossed == RuleState.OK) {
          enter(i, RuleState.OK, now, out);
        } else if (!now.isBefore(i.pendingSince.plus(i.rule.forDuration()))) {
          enter(i, crossed, now, out);
        }
      }
      default -> {
        if (cleared(i.rule, i.value)) {
          enter(i, RuleState.OK, now, out);
        } else if (crossed == RuleState.CRITICAL) {
          enter(i, RuleState.CRITICAL, now, out);
        } else if (i.rule.warning().isPresent()) {
          // Below critical but not cleared: warning, if the rule has that level.
          enter(i, RuleState.WARNING, now, out);
        }
      }
    }
  }

  private void enter(Instance i, RuleState state, Instant now, List<Submission> out) {
    if (i.state == state) {
      return;
    }
    i.state = state;
    i.since = now;
    if (!state.firing()) {
      return;
    }
    boolean critical = state == RuleState.CRITICAL || i.escalate;
    List<String> actions = critical ? i.rule.criticalActions() : i.rule.warningActions();
    i.chain.clear();
    i.stepActions = Set.copyOf(actions);
    i.nextStep = 0;
    i.chainCritical = critical;
    if (!actions.isEmpty()) {
      out.add(new Submission(i.rule.name(), i.ref, state, actions, i.value));
    }
  }

  // Long on purpose: each watch's verdict, by the rule's verify condition or its state.
  private static void settleWatches(
      Instance i,
      Instant now,
      Map<String, List<Series>> index,
      List<Remediation> out,
      List<Submission> submissions) {
    for (Iterator<Watch> it = i.watches.iterator(); it.hasNext(); ) {
      Watch w = it.next();
      if (i.rule.verifyWithin().isPresent() && w.deadline == null) {
        w.deadline = now.plus(i.rule.verifyWithin().get());
      }
      boolean expired = w.deadline != null ? !now.isBefore(w.deadline) : --w.cyclesLeft <= 0;
      if (verified(i, index)) {
        out.add(new Remediation(i.rule.name(), i.ref, w.action, w.runId, true, w.before, i.value));
        verdict(i, w, "effective");
        i.escalate = false;
        it.remove();
      } else if (expired) {
        out.add(new Remediation(i.rule.name(), i.ref, w.action, w.runId, false, w.before, i.value));
        verdict(i, w, "ineffective");
        i.escalate = true;
        it.remove();
        escalate(i, w, submissions);
      }
    }
  }

  /**
   * Whether the instance's runs worked: its rule's {@code verify} condition holds for every series
   * it selects (none: not yet), or without one, the instance is back to ok.
   */
  private static boolean verified(Instance i, Map<String, List<Series>> index) {
    if (i.rule.verify().isEmpty()) {
      return i.state == RuleState.OK;
    }
    GuardConfig.Condition c = i.rule.verify().get();
    List<Series> selected =
        index.getOrDefault(c.metric(), List.of()).stream()
            .filter(s -> s.labels().entrySet().containsAll(c.labels().entrySet()))
            .toList();
    return !selected.isEmpty() && selected.stream().allMatch(s -> c.test(s.value()));
  }

  private static void verdict(Instance i, Watch w, String verdict) {
    i.chain.replaceAll(
        s -> s.runId() == w.runId ? new ChainStep(s.action(), s.runId(), verdict) : s);
  }

  /**
   * A run of the step under way did not work and the instance still fires: the level's next
   * escalation step runs (once per step, whatever its other runs say).
   */
  private static void escalate(Instance i, Watch w, List<Submission> submissions) {
    List<String> steps = i.rule.escalation(i.chainCritical);
    if (!i.state.firing() || !i.stepActions.contains(w.action) || i.nextStep >= steps.size()) {
      return;
    }
    String next = steps.get(i.nextStep++);
    i.stepActions = Set.of(next);
    submissions.add(new Submission(i.rule.name(), i.ref, i.state, List.of(next), i.value));
  }

  /** The worst level the value crosses, or OK. */
  private static RuleState crossed(RuleConfig rule, double value) {
    if (rule.critical().isPresent() && beyond(rule, value, rule.critical().get())) {
      return RuleState.CRITICAL;
    }
    if (rule.warning().isPresent() && beyond(rule, value, rule.warning().get())) {
      return RuleState.WARNING;
    }
    return RuleState.OK;
  }

  private static boolean beyond(RuleConfig rule, double value, double level) {
    return rule.direction() == Direction.ABOVE ? value >= level : value <= level;
  }

  private static boolean cleared(RuleConfig rule, double value) {
    return rule.direction() == Direction.ABOVE ? value < rule.clear() : value > rule.clear();
  }
}
