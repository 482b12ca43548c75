package io.caretaker.run;

import io.caretaker.actions.Action;
import io.caretaker.actions.ActionContext;
import io.caretaker.actions.ActionFailure;
import io.caretaker.actions.ActionSkipped;
import io.caretaker.actions.Effect;
import io.caretaker.actions.Progress;
import io.caretaker.actions.RunRecord;
import io.caretaker.actions.RunRecord.Outcome;
import io.caretaker.actions.SkipReason;
import io.caretaker.actions.Trigger;
import io.caretaker.config.ActionConfig;
import io.caretaker.config.Units;
import io.caretaker.store.StateFile;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

// One file on purpose: every guard is decided under this one lock; spread out, its reach would
// hide.
/**
 * The only way any action runs. Rules, alerts, schedules and operators all call {@link #submit},
 * which decides whether the run may start (one run per action at a time; maintenance, cooldown and
 * budget for automatic triggers; cooldown for manual runs unless forced), runs it on a bounded
 * worker pool with its timeout, and records the outcome in the history and metrics. Cooldowns and
 * budgets read their own persisted state ({@link GuardState}), so neither a restart nor a flood of
 * skips resets them. Skips are counted one by one in {@code caretaker_action_skipped_total} and
 * recorded coalesced ({@link SkipLog}), so a storm of alerts costs a few history lines.
 *
 * <pre>{@code
 * executor.submit("log-cleanup", Trigger.manual("api"), RunOptions.NORMAL)
 *     .result().thenAccept(record -> ...);
 * }</pre>
 */
public final class ActionExecutor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ActionExecutor.class);

  /** How often a coalesced skip's growing count is written to the history. */
  private static final Duration SKIP_FLUSH = Duration.ofSeconds(5);

  /** How often listeners hear of a running run's progress, at most. */
  public static final Duration PROGRESS_EVERY = Duration.ofSeconds(1);

  private final Map<String, ActionConfig> configs;
  private final Map<String, Action> actions;
  private final RunHistory history;
  private final Maintenance maintenance;
  private final ExecutorMetrics metrics;
  private final Clock clock;
  private final ExecutorService workers;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(daemon("caretaker-action-timer"));
  private final Set<String> running = new HashSet<>();
  private final GuardState guards;
  private final CircuitBreaker circuits;
  private final SafetyGuards safety;
  private final AlertSilencer silencer;

  /** Why a run did not start, and what the record says of it (a guard names its conditions). */
  private record Skip(SkipReason reason, Map<String, Object> detail) {
    static Optional<Skip> of(SkipReason reason) {
      return Optional.of(new Skip(reason, Map.of()));
    }
  }

  private final SkipLog skips;
  private final List<RunListener> listeners = new CopyOnWriteArrayList<>();

  /** Runs under way by id: their first record and the progress their action tells. */
  private final Map<Long, Live> live = new ConcurrentHashMap<>();

  private record Live(RunRecord running, Progress progress, AtomicLong told) {}

  /** Dry run (plan only) and force (manual runs ignore the cooldown). */
  public record RunOptions(boolean dryRun, boolean force) {
    public static final RunOptions NORMAL = new RunOptions(false, false);
  }

  /** A submitted run: its id at once, its record when it ends (at once when skipped). */
  public record Run(long id, CompletableFuture<RunRecord> result) {}

  /** Thrown by {@link #submit} for a name that is not a configured action. */
  public static final class UnknownActionException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    UnknownActionException(String name) {
      super("No action named \"" + name + "\"");
    }
  }

  public ActionExecutor(
      Map<String, ActionConfig> configs,
      Map<String, Action> actions,
      RunHistory history,
      Maintenance maintenance,
      PrometheusRegistry registry,
      Clock clock,
      int maxConcurrentRuns) {
    this(
        configs,
        actions,
        history,
        maintenance,
        registry,
        clock,
        maxConcurrentRuns,
        SafetyGuards.none(),
        AlertSilencer.none());
  }

  /**
   * {@code safety} checks the actions' guards against the agent's metrics; {@code silencer}
   * silences this host's alerts while an action with {@code silence: true} runs.
   */
  public ActionExecutor(
      Map<String, ActionConfig> configs,
      Map<String, Action> actions,
      RunHistory history,
      Maintenance maintenance,
      PrometheusRegistry registry,
      Clock clock,
      int maxConcurrentRuns,
      SafetyGuards safety,
      AlertSilencer silencer) {
    this.safety = safety;
    this.silencer = silencer;
    this.configs = Map.copyOf(configs);
    this.actions = Map.copyOf(actions);
    this.history = history;
    this.maintenance = maintenance;
    this.metrics = new ExecutorMetrics(registry, this.actions);
    this.clock = clock;
    this.workers = Executors.newFixedThreadPool(maxConcurrentRuns, daemon("caretaker-action"));
    this.guards =
        new GuardState(new StateFile(history.dir().resolve("guards.json")), configs, history);
    this.skips = new SkipLog(history);
    this.circuits =
        new CircuitBreaker(configs, new StateFile(history.dir().resolve("circuits.json")));
    configs.keySet().forEach(name -> metrics.circuit(name, circuits.open(name)));
    timer.scheduleWithFixedDelay(
        skips::save, SKIP_FLUSH.toMillis(), SKIP_FLUSH.toMillis(), TimeUnit.MILLISECONDS);
    timer.scheduleWithFixedDelay(
        this::tellProgress,
        PROGRESS_EVERY.toMillis(),
        PROGRESS_EVERY.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  public void addListener(RunListener listener) {
    listeners.add(listener);
  }

  /** A running run's figures so far; empty when the run is not running. */
  public Optional<Map<String, Object>> progress(long id) {
    return Optional.ofNullable(live.get(id)).map(l -> l.progress().snapshot());
  }

  private void tellProgress() {
    for (Live l : live.values()) {
      long changes = l.progress().changes();
      if (changes != l.told().getAndSet(changes)) {
        Map<String, Object> now = l.progress().snapshot();
        tell(listener -> listener.progressed(l.running(), now));
      }
    }
  }

  private void tell(Consumer<RunListener> what) {
    for (RunListener listener : listeners) {
      try {
        what.accept(listener);
      } catch (RuntimeException e) {
        log.error("Run listener failed", e);
      }
    }
  }

  public Map<String, ActionConfig> configs() {
    return configs;
  }

  public synchronized boolean running(String action) {
    return running.contains(action);
  }

  public RunHistory history() {
    return history;
  }

  /** What stands between an action and its next run now: cooldown left, automatic runs left. */
  public record Guards(Duration cooldownLeft, Optional<Integer> budgetLeft) {}

  public synchronized Guards guards(String name) {
    ActionConfig config = configs.get(name);
    if (config == null) {
      throw new UnknownActionException(name);
    }
    Instant now = clock.instant();
    Duration left =
        guards
            .lastStart(name)
            .map(last -> Duration.between(now, last.plus(config.cooldown())))
            .filter(d -> !d.isNegative())
            .orElse(Duration.ZERO);
    Optional<Integer> budget =
        config
            .budget()
            .map(
                b ->
                    (int)
                        Math.max(
                            0, b.runs() - guards.automaticStartsAfter(name, now.minus(b.per()))));
    return new Guards(left, budget);
  }

  /**
   * Starts a run of {@code name} unless a guard says no, in which case the returned record says
   * skipped and why. Completes when the run ends (or hits its timeout).
   *
   * @throws UnknownActionException when no such action is configured
   */
  public Run submit(String name, Trigger trigger, RunOptions options) {
    ActionConfig config = configs.get(name);
    if (config == null) {
      throw new UnknownActionException(name);
    }
    boolean dryRun = options.dryRun() || config.dryRun();
    Instant now = clock.instant();
    Optional<Instant> previousStart;
    synchronized (this) {
      Optional<Skip> skip = skipReason(config, trigger, options, dryRun, now);
      if (skip.isPresent()) {
        RunRecord skipped =
            skip(name, trigger, skip.get().reason(), skip.get().detail(), dryRun, now);
        return new Run(skipped.id(), CompletableFuture.completedFuture(skipped));
      }
      running.add(name);
      previousStart = guards.lastStart(name);
      if (!dryRun) {
        guards.started(name, trigger.automatic(), now);
      }
    }
    return start(config, trigger, dryRun, now, previousStart);
  }

  /**
   * Records a run that a trigger skipped before asking (a paused schedule's due time), so the
   * history says why nothing ran.
   */
  public synchronized RunRecord recordSkip(String name, Trigger trigger, SkipReason reason) {
    if (!configs.containsKey(name)) {
      throw new UnknownActionException(name);
    }
    return skip(name, trigger, reason, Map.of(), false, clock.instant());
  }

  /** What the action's guard says now (status and dry runs show it). */
  public SafetyGuards.Verdict guardVerdict(String name) {
    ActionConfig config = configs.get(name);
    if (config == null) {
      throw new UnknownActionException(name);
    }
    return safety.check(config.guard(), clock.instant());
  }

  // Long on purpose: the guards in the order docs/operations.md lists them.
  private Optional<Skip> skipReason(
      ActionConfig config, Trigger trigger, RunOptions options, boolean dryRun, Instant now) {
    String name = config.name();
    if (running.contains(name)) {
      return Skip.of(SkipReason.RUNNING);
    }
    if (trigger.automatic() && maintenance.activeReason(now).isPresent()) {
      return Skip.of(SkipReason.MAINTENANCE);
    }
    if (dryRun) {
      return Optional.empty();
    }
    boolean cooldownApplies = trigger.automatic() || !options.force();
    Optional<Instant> last = guards.lastStart(name);
    if (cooldownApplies && last.isPresent() && now.isBefore(last.get().plus(config.cooldown()))) {
      return Skip.of(SkipReason.COOLDOWN);
    }
    if (trigger.automatic() && config.budget().isPresent()) {
      ActionConfig.Budget budget = config.budget().get();
      if (guards.automaticStartsAfter(name, now.minus(budget.per())) >= budget.runs()) {
        return Skip.of(SkipReason.BUDGET);
      }
    }
    if (!config.guard().isEmpty() && (trigger.automatic() || !options.force())) {
      SafetyGuards.Verdict verdict = safety.check(config.guard(), now);
      if (!verdict.holds()) {
        return Optional.of(new Skip(SkipReason.GUARD, Map.of("guard", verdict.failing())));
      }
    }
    // Last: when a half-open circuit lets this run through on trial, the run must start.
    if (trigger.automatic() && !circuits.allows(name, now)) {
      return Skip.of(SkipReason.CIRCUIT_OPEN);
    }
    return Optional.empty();
  }

  /** Counts a skip and records it coalesced ({@link SkipLog}); only a new record is logged. */
  private RunRecord skip(
      String name,
      Trigger trigger,
      SkipReason reason,
      Map<String, Object> detail,
      boolean dryRun,
      Instant now) {
    metrics.skipped(name, trigger, reason);
    SkipLog.Entry entry = skips.add(name, trigger, reason, detail, dryRun, now);
    if (entry.opened()) {
      finish(entry.record());
    }
    return entry.record();
  }

  // Long on purpose: the run and its timeout race for the one record; both halves must be read
  // together.
  private Run start(
      ActionConfig config,
      Trigger trigger,
      boolean dryRun,
      Instant startedAt,
      Optional<Instant> previousStart) {
    long id = history.nextId();
    CompletableFuture<RunRecord> result = new CompletableFuture<>();
    AtomicBoolean recorded = new AtomicBoolean();
    Action action = actions.get(config.name());
    Progress progress = new Progress();
    ActionContext ctx = new ActionContext(config.name(), dryRun, trigger, progress);
    RunRecord begun =
        new RunRecord(
            id, config.name(), trigger, startedAt, null, Outcome.RUNNING, null, dryRun, Map.of());
    // Written before the action starts: a stop mid-run leaves a record that the next start
    // closes as interrupted, and the id is never handed out again.
    history.append(begun).join();
    live.put(id, new Live(begun, progress, new AtomicLong()));
    tell(listener -> listener.started(begun));
    Future<?> work =
        workers.submit(
            () -> {
              RunRecord record = null;
              String comment =
                  "caretaker run "
                      + id
                      + " of "
                      + config.name()
                      + " ("
                      + trigger.type().label()
                      + " "
                      + trigger.ref()
                      + ")";
              Optional<String> silence =
                  config.silence() && !dryRun
                      ? silencer.silence(comment, startedAt, startedAt.plus(config.timeout()))
                      : Optional.empty();
              try {
                record = withGuard(execute(action, ctx, id, startedAt), config);
              } finally {
                silence.ifPresent(s -> silencer.endSoon(s, comment, startedAt, clock.instant()));
                // In the history (so cooldowns see it) before leaving "running", and both before
                // anyone
                // hears it ended: no window in which a second run could slip in.
                boolean first = record != null && recorded.compareAndSet(false, true);
                if (first) {
                  finish(record);
                }
                synchronized (this) {
                  running.remove(config.name());
                  if (!dryRun && record != null && record.outcome() == Outcome.SKIPPED) {
                    guards.withdraw(config.name(), startedAt, previousStart);
                  }
                }
                if (first) {
                  result.complete(record);
                }
              }
            });
    // At the deadline the run is recorded as timed out, then interrupted; the action stays
    // "running" until its thread really returns, so a stuck run is never overlapped.
    timer.schedule(
        () -> {
          if (!work.isDone() && recorded.compareAndSet(false, true)) {
            RunRecord timedOut =
                new RunRecord(
                    id,
                    config.name(),
                    trigger,
                    startedAt,
                    clock.instant(),
                    Outcome.TIMEOUT,
                    "timed out after " + Units.format(config.timeout()),
                    dryRun,
                    Map.of());
            finish(timedOut);
            result.complete(timedOut);
            work.cancel(true);
          }
        },
        config.timeout().toMillis(),
        TimeUnit.MILLISECONDS);
    return new Run(id, result);
  }

  /** A dry run says which of the action's guards hold now: what a real run would meet. */
  private RunRecord withGuard(RunRecord r, ActionConfig config) {
    if (!r.dryRun() || config.guard().isEmpty()) {
      return r;
    }
    Map<String, Object> details = new java.util.LinkedHashMap<>(r.details());
    details.put("guard", safety.check(config.guard(), clock.instant()).toMap());
    return new RunRecord(
        r.id(),
        r.action(),
        r.trigger(),
        r.startedAt(),
        r.finishedAt(),
        r.outcome(),
        r.reason(),
        r.dryRun(),
        details);
  }

  private RunRecord execute(Action action, ActionContext ctx, long id, Instant startedAt) {
    Outcome outcome = Outcome.SUCCESS;
    String reason = null;
    Map<String, Object> details = Map.of();
    try {
      details = action.run(ctx);
    } catch (ActionSkipped e) {
      outcome = Outcome.SKIPPED;
      reason = e.reason().label();
      details = e.details();
      metrics.skipped(ctx.action(), ctx.trigger(), e.reason());
    } catch (ActionFailure e) {
      outcome = Outcome.FAILURE;
      reason = e.getMessage();
      details = e.details();
    } catch (InterruptedException e) {
      outcome = Outcome.TIMEOUT;
      reason = "cancelled";
    } catch (Exception | Error e) {
      // A throwing action must never harm the executor or the other actions.
      log.error("Action {} failed unexpectedly", ctx.action(), e);
      outcome = Outcome.FAILURE;
      reason = e.toString();
    }
    return new RunRecord(
        id,
        ctx.action(),
        ctx.trigger(),
        startedAt,
        clock.instant(),
        outcome,
        reason,
        ctx.dryRun(),
        details);
  }

  /**
   * A rule run's verdict (the rule engine's, once the instance recovered or did not): recorded on
   * the run, counted, and fed to the action's circuit. A run already judged keeps its verdict.
   */
  public synchronized void judge(long runId, Effect effect, Map<String, Object> detail) {
    Optional<RunRecord> run = history.find(runId);
    if (run.isEmpty()
        || run.get().effect() != Effect.UNKNOWN
        || run.get().outcome() == Outcome.RUNNING) {
      return;
    }
    RunRecord judged = run.get().judged(effect, detail);
    history.append(judged);
    metrics.effect(judged.action(), effect);
    circuit(judged.action(), effect == Effect.EFFECTIVE);
    log.info("Run {} of {} judged {}: {}", runId, judged.action(), effect.label(), detail);
  }

  /** An operator closes the action's circuit (caretaker action reset NAME). */
  public synchronized void resetCircuit(String name) {
    if (!configs.containsKey(name)) {
      throw new UnknownActionException(name);
    }
    circuits.reset(name);
    metrics.circuit(name, false);
  }

  /** Whether the action's circuit is open, and since when. */
  public synchronized Optional<Instant> circuitOpenSince(String name) {
    return circuits.openedAt(name);
  }

  private void circuit(String action, boolean good) {
    boolean wasOpen = circuits.open(action);
    circuits.record(action, good, clock.instant());
    boolean open = circuits.open(action);
    metrics.circuit(action, open);
    if (open && !wasOpen) {
      log.warn(
          "Action {}: {} automatic runs in a row did not work; its circuit is open (automatic"
              + " triggers skip it until `caretaker action reset {}`)",
          action,
          circuits.bad(action),
          action);
    }
  }

  /**
   * A finished run's part in its verdict: a rule run waits for the rule engine's; another automatic
   * run counts good when it succeeded, bad when it failed or timed out; the rest are unknown.
   */
  private void judgeAtFinish(RunRecord r) {
    if (r.outcome() == Outcome.SKIPPED || r.outcome() == Outcome.RUNNING || r.dryRun()) {
      return;
    }
    if (r.trigger().type() == Trigger.Type.RULE) {
      return; // RuleTrigger calls judge() when the instance recovers or does not
    }
    metrics.effect(r.action(), Effect.UNKNOWN);
    if (r.trigger().automatic()) {
      synchronized (this) {
        circuit(r.action(), r.outcome() == Outcome.SUCCESS);
      }
    }
  }

  private void finish(RunRecord record) {
    live.remove(record.id());
    history.append(record);
    judgeAtFinish(record);
    metrics.record(record);
    if (record.outcome() == Outcome.SKIPPED) {
      log.info(
          "Action {} ({} {}) skipped: {}",
          record.action(),
          record.trigger().type().label(),
          record.trigger().ref(),
          record.reason());
    } else {
      log.info(
          "Action {} ({} {}){} {} in {}{}",
          record.action(),
          record.trigger().type().label(),
          record.trigger().ref(),
          record.dryRun() ? " dry run" : "",
          record.outcome().label(),
          Units.format(Duration.between(record.startedAt(), record.finishedAt())),
          record.reason() == null ? "" : ": " + record.reason());
    }
    tell(listener -> listener.finished(record));
  }

  @Override
  public void close() {
    timer.shutdownNow();
    skips.save();
    workers.shutdownNow();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    history.close();
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
