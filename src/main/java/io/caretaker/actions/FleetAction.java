package io.caretaker.actions;

import io.caretaker.config.ActionConfig.Fleet;
import io.caretaker.redis.FleetSemaphore;
import io.caretaker.redis.RedisConnection;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An action that at most {@code fleet.max_concurrent} agents sharing a Redis run at once (a rolling
 * restart: hosts one at a time). The run waits up to {@code fleet.wait} for a place, else it is
 * skipped ({@code fleet_busy}); the place is held for the action's timeout at most, so an agent
 * that dies frees it when that ends. Dry runs take no place.
 */
public final class FleetAction implements Action {
  private static final long POLL_MILLIS = 200;

  private final Action inner;
  private final Fleet fleet;
  private final RedisConnection redis;
  private final Duration lease;
  private final String owner;

  public FleetAction(
      Action inner, Fleet fleet, RedisConnection redis, Duration lease, String owner) {
    this.inner = inner;
    this.fleet = fleet;
    this.redis = redis;
    this.lease = lease;
    this.owner = owner;
  }

  @Override
  public Set<Figure> figures() {
    return inner.figures();
  }

  @Override
  public Map<String, Object> run(ActionContext ctx) throws Exception {
    if (ctx.dryRun()) {
      Map<String, Object> details = new LinkedHashMap<>(inner.run(ctx));
      details.put(
          "fleet", "would take one of " + fleet.maxConcurrent() + " places of " + fleet.key());
      return details;
    }
    FleetSemaphore semaphore =
        new FleetSemaphore(redis.get().sync(), fleet.key(), fleet.maxConcurrent(), lease);
    long deadline = System.nanoTime() + fleet.waitFor().toNanos();
    Optional<FleetSemaphore.Permit> permit = semaphore.tryAcquire(owner);
    while (permit.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(POLL_MILLIS); // the run's timeout interrupts a wait that outlasts it
      permit = semaphore.tryAcquire(owner);
    }
    if (permit.isEmpty()) {
      throw new ActionSkipped(
          SkipReason.FLEET_BUSY,
          Map.of(
              "fleet",
              fleet.maxConcurrent()
                  + " of "
                  + fleet.maxConcurrent()
                  + " places of "
                  + fleet.key()
                  + " held by other agents"));
    }
    try (FleetSemaphore.Permit held = permit.get()) {
      Map<String, Object> details = new LinkedHashMap<>(inner.run(ctx));
      details.put("fleet_token", held.token());
      return details;
    }
  }
}
