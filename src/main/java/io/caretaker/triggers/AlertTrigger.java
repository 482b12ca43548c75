package io.caretaker.triggers;

import io.caretaker.actions.Effect;
import io.caretaker.actions.RunRecord;
import io.caretaker.actions.Trigger;
import io.caretaker.run.ActionExecutor;
import io.caretaker.run.ActionExecutor.RunOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Alertmanager webhook as a trigger: a body is checked whole and every alert's fate decided
 * before anything starts (a bad body changes nothing); the runs then start on {@code starter}, off
 * the caller's thread, since a submit may write the guard state. Parsing and routing are pure CPU,
 * tens of microseconds for Alertmanager's bodies, so the HTTP handler calls this on the event loop
 * (moving it to a worker raised bench/webhook-load.sh's p99 from 6.9 to 28 ms).
 */
public final class AlertTrigger {
  private static final Logger log = LoggerFactory.getLogger(AlertTrigger.class);

  /** At most this many runs wait for their alert's resolution; the oldest give up first. */
  static final int MAX_AWAITING = 10_000;

  private final AlertRouter router;
  private final ActionExecutor executor;
  private final Executor starter;
  private final Clock clock;
  private final Duration verifyWithin;

  /** A run an alert started, waiting for Alertmanager to say the alert resolved. */
  private record Awaiting(long runId, String ref, Instant finishedAt) {}

  /** By alert fingerprint, oldest first. */
  private final LinkedHashMap<String, List<Awaiting>> awaiting = new LinkedHashMap<>();

  public AlertTrigger(
      AlertRouter router,
      ActionExecutor executor,
      Executor starter,
      Clock clock,
      Duration verifyWithin) {
    this.router = router;
    this.executor = executor;
    this.starter = starter;
    this.clock = clock;
    this.verifyWithin = verifyWithin;
  }

  /**
   * Decides the fate of every alert of {@code body} and starts the routed runs.
   *
   * @throws AlertPayload.InvalidPayload for a body that is not a version 4 payload (nothing done)
   */
  public List<AlertRouter.Decision> receive(byte[] body) throws AlertPayload.InvalidPayload {
    List<AlertRouter.Decision> decisions = router.route(AlertPayload.parse(body));
    judge(decisions);
    if (decisions.stream().anyMatch(d -> !d.actions().isEmpty())) {
      starter.execute(() -> start(decisions));
    }
    return decisions;
  }

  /**
   * The alert-started runs' verdicts: the alert resolved within verify_within of the run's end:
   * effective; still firing (Alertmanager notifies again) past it: ineffective.
   */
  private void judge(List<AlertRouter.Decision> decisions) {
    Instant now = clock.instant();
    List<Map.Entry<Awaiting, Boolean>> verdicts = new ArrayList<>();
    synchronized (awaiting) {
      for (AlertRouter.Decision d : decisions) {
        List<Awaiting> runs = awaiting.get(d.alert().fingerprint());
        if (runs == null) {
          continue;
        }
        for (Iterator<Awaiting> it = runs.iterator(); it.hasNext(); ) {
          Awaiting a = it.next();
          boolean late = now.isAfter(a.finishedAt().plus(verifyWithin));
          if (!d.alert().firing() || late) {
            verdicts.add(Map.entry(a, !d.alert().firing() && !late));
            it.remove();
          }
        }
        if (runs.isEmpty()) {
          awaiting.remove(d.alert().fingerprint());
        }
      }
    }
    for (Map.Entry<Awaiting, Boolean> v : verdicts) {
      Awaiting a = v.getKey();
      executor.judge(
          a.runId(),
          v.getValue() ? Effect.EFFECTIVE : Effect.INEFFECTIVE,
          Map.of(
              "alert",
              a.ref(),
              v.getValue() ? "resolved_after_seconds" : "still_firing_after_seconds",
              Duration.between(a.finishedAt(), now).toSeconds()));
    }
  }

  private void await(String fingerprint, RunRecord r, String ref) {
    if (r.outcome() == RunRecord.Outcome.SKIPPED || r.dryRun() || r.finishedAt() == null) {
      return;
    }
    synchronized (awaiting) {
      awaiting
          .computeIfAbsent(fingerprint, f -> new ArrayList<>())
          .add(new Awaiting(r.id(), ref, r.finishedAt()));
      while (awaiting.size() > MAX_AWAITING) {
        awaiting.remove(awaiting.keySet().iterator().next()); // stays unknown
      }
    }
  }

  private void start(List<AlertRouter.Decision> decisions) {
    for (AlertRouter.Decision d : decisions) {
      for (String action : d.actions()) {
        try {
          executor
              .submit(action, Trigger.alert(d.ref()), RunOptions.NORMAL)
              .result()
              .thenAccept(r -> await(d.alert().fingerprint(), r, d.ref()));
        } catch (RuntimeException e) {
          log.error("Starting {} for alert {} failed", action, d.ref(), e);
        }
      }
    }
  }
}
