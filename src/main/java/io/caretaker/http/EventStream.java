package io.caretaker.http;

import io.caretaker.actions.RunRecord;
import io.caretaker.rules.RuleInstance;
import io.caretaker.run.RunListener;
import io.caretaker.triggers.RuleTrigger;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/events}: Server-Sent Events for the status page and anyone else watching.
 * Events: {@code run} (started, progress, finished), {@code rule} (an instance changed state),
 * {@code maintenance} (turned on or off, by an operator or a window). Read-only, like the other
 * GETs. At most {@link #MAX_SUBSCRIBERS} at once (beyond: 503); a reader too slow to take what is
 * sent is dropped rather than buffered for (the page reconnects and reloads). Events come from the
 * executor's and the collection's threads and are written on the server's event loop.
 */
final class EventStream implements RunListener {
  static final int MAX_SUBSCRIBERS = 32;

  /** A comment line this often keeps proxies and the idle timeout from closing a quiet stream. */
  static final Duration HEARTBEAT = Duration.ofSeconds(15);

  /** The browser waits this long before reconnecting: no client polls faster. */
  static final Duration RETRY = Duration.ofSeconds(5);

  private final AgentParts parts;
  private final Context context;
  private final List<HttpServerResponse> subscribers = new ArrayList<>(); // event loop only
  private JsonObject maintenance;

  EventStream(AgentParts parts, Vertx vertx) {
    this.parts = parts;
    this.context = vertx.getOrCreateContext();
    vertx.setPeriodic(HEARTBEAT.toMillis(), id -> send(Buffer.buffer(": heartbeat\n\n")));
    parts.executor().addListener(this);
    parts.rules().addListener(this::ruleChanged);
    parts.loop().addListener(s -> maintenanceMayHaveChanged());
  }

  void handle(RoutingContext ctx) {
    if (subscribers.size() >= MAX_SUBSCRIBERS) {
      ctx.response().putHeader("Retry-After", String.valueOf(RETRY.toSeconds()));
      HttpVerticle.error(
          ctx,
          503,
          "too many subscribers",
          "at most " + MAX_SUBSCRIBERS + " event streams at once; try again later");
      return;
    }
    HttpServerResponse response = ctx.response();
    response
        .setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no"); // nginx: pass each event on at once
    subscribers.add(response);
    response.closeHandler(v -> subscribers.remove(response));
    response.exceptionHandler(e -> subscribers.remove(response));
    response.write("retry: " + RETRY.toMillis() + "\n\n");
  }

  @Override
  public void started(RunRecord running) {
    publish("run", new JsonObject().put("kind", "started").put("run", running.toJson()));
  }

  @Override
  public void progressed(RunRecord running, Map<String, Object> progress) {
    publish(
        "run",
        new JsonObject()
            .put("kind", "progress")
            .put("run", running.toJson())
            .put("progress", new JsonObject(progress)));
  }

  @Override
  public void finished(RunRecord record) {
    publish("run", new JsonObject().put("kind", "finished").put("run", record.toJson()));
  }

  /** Tells the maintenance state if it changed (an operator's call, or at each collection). */
  synchronized void maintenanceMayHaveChanged() {
    JsonObject now =
        ReadHandlers.maintenanceJson(parts.maintenance().status(parts.clock().instant()));
    if (!now.equals(maintenance)) {
      if (maintenance != null) {
        publish("maintenance", now);
      }
      maintenance = now;
    }
  }

  private void ruleChanged(RuleTrigger.RuleChange change) {
    RuleInstance i = change.instance();
    publish(
        "rule",
        new JsonObject()
            .put("ref", i.ref())
            .put("rule", i.rule())
            .put("state", change.to())
            .put("previous", change.from())
            .put("value", Double.isFinite(i.value()) ? i.value() : null)
            .put("since", i.since().toString()));
  }

  private void publish(String event, JsonObject data) {
    // JSON text holds no raw newline, so one data line carries it whole.
    send(Buffer.buffer("event: " + event + "\ndata: " + data.encode() + "\n\n"));
  }

  private void send(Buffer message) {
    context.runOnContext(
        v -> {
          for (HttpServerResponse r : List.copyOf(subscribers)) {
            if (r.writeQueueFull()) {
              subscribers.remove(r); // too slow: dropped, never buffered for
              r.reset();
            } else {
              r.write(message);
            }
          }
        });
  }
}
