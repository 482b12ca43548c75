package io.caretaker.http;

import io.caretaker.actions.RunRecord;
import io.caretaker.actions.Trigger;
import io.caretaker.config.ActionConfig;
import io.caretaker.config.ActionSpec;
import io.caretaker.config.Units;
import io.caretaker.run.ActionExecutor.RunOptions;
import io.caretaker.run.ActionExecutor.UnknownActionException;
import io.caretaker.run.Maintenance;
import io.caretaker.run.RunAll;
import io.caretaker.trading.EventBody;
import io.caretaker.triggers.AlertPayload;
import io.caretaker.triggers.AlertRouter;
import io.caretaker.triggers.Scheduler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The POST side of the API, behind the token and the body bounds: run an action, the webhook,
 * pushed events, pausing schedules, maintenance. Each handler parses, calls one part of the agent,
 * and replies; anything that may touch a disk runs on a worker.
 */
final class ControlHandlers {
  private static final Logger log = LoggerFactory.getLogger(ControlHandlers.class);

  private final AgentParts parts;
  private final Vertx vertx;
  private final EventStream events;

  ControlHandlers(AgentParts parts, Vertx vertx, EventStream events) {
    this.parts = parts;
    this.vertx = vertx;
    this.events = events;
  }

  void handleRunAction(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    RunOptions options = new RunOptions(flag(ctx, "dry_run"), flag(ctx, "force"));
    boolean wait = flag(ctx, "wait");
    if (!parts.executor().configs().containsKey(name)) {
      HttpVerticle.error(ctx, 404, "unknown action", HttpVerticle.noSuchAction(parts, name));
      return;
    }
    // submit writes the guard state (an fsync), so it runs off the event loop.
    vertx
        .executeBlocking(() -> parts.executor().submit(name, Trigger.manual("api"), options), false)
        .onFailure(
            e ->
                HttpVerticle.error(
                    ctx,
                    e instanceof UnknownActionException ? 404 : 500,
                    "cannot run",
                    e.getMessage()))
        .onSuccess(
            run -> {
              if (wait) {
                Future.fromCompletionStage(run.result(), vertx.getOrCreateContext())
                    .onSuccess(r -> HttpVerticle.json(ctx, 200, new JsonObject(r.toJson())));
                return;
              }
              JsonObject body = new JsonObject().put("run_id", run.id());
              RunRecord done = run.result().getNow(null);
              if (done != null && done.outcome() == RunRecord.Outcome.SKIPPED) {
                body.put("state", "skipped").put("reason", done.reason());
              } else {
                body.put("state", "started");
              }
              HttpVerticle.json(ctx, 202, body);
            });
  }

  /**
   * Every action (or those of {@code ?type=} and {@code ?tag=}), at most {@code
   * executor.max_concurrent} at once, each under its own guards. {@code ?wait=true} answers with
   * every record when all are done; otherwise 202 with the names about to run.
   */
  void handleRunAll(RoutingContext ctx) {
    String type = ctx.queryParams().get("type");
    String tag = ctx.queryParams().get("tag");
    if (type != null && !ActionSpec.TYPES.contains(type)) {
      HttpVerticle.error(
          ctx,
          400,
          "invalid type",
          "type is one of " + String.join(", ", ActionSpec.TYPES) + "; got \"" + type + "\"");
      return;
    }
    List<String> names =
        parts.executor().configs().values().stream()
            .filter(a -> type == null || a.type().equals(type))
            .filter(a -> tag == null || a.tags().contains(tag))
            .map(ActionConfig::name)
            .sorted()
            .toList();
    RunOptions options = new RunOptions(flag(ctx, "dry_run"), false);
    CompletableFuture<List<RunRecord>> all =
        RunAll.run(parts.executor(), names, Trigger.runAll("api"), options, parts.runAllAtOnce());
    if (!flag(ctx, "wait")) {
      HttpVerticle.json(
          ctx, 202, new JsonObject().put("actions", new JsonArray(names)).put("state", "started"));
      return;
    }
    Future.fromCompletionStage(all, vertx.getOrCreateContext())
        .onSuccess(records -> HttpVerticle.json(ctx, 200, runAllSummary(records)));
  }

  /** The records, and how many ended each way. */
  static JsonObject runAllSummary(List<RunRecord> records) {
    JsonObject counts = new JsonObject();
    JsonArray runs = new JsonArray();
    for (RunRecord r : records) {
      counts.put(r.outcome().label(), counts.getInteger(r.outcome().label(), 0) + 1);
      runs.add(new JsonObject(r.toJson()));
    }
    return new JsonObject().put("outcomes", counts).put("runs", runs);
  }

  /** Closes the action's circuit: automatic triggers may run it again. */
  void handleResetCircuit(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    if (!parts.executor().configs().containsKey(name)) {
      HttpVerticle.error(ctx, 404, "unknown action", HttpVerticle.noSuchAction(parts, name));
      return;
    }
    vertx
        .executeBlocking(
            () -> {
              parts.executor().resetCircuit(name); // writes circuits.json: off the event loop
              return null;
            },
            false)
        .onSuccess(
            v -> {
              log.info("Circuit of action {} reset by API", name);
              HttpVerticle.json(
                  ctx, 200, new JsonObject().put("action", name).put("circuit_open", false));
            })
        .onFailure(ctx::fail);
  }

  /** Answered at once; the routed runs start after it (see AlertTrigger). */
  void handleWebhook(RoutingContext ctx) {
    try {
      HttpVerticle.json(
          ctx, 200, webhookAnswer(parts.alerts().receive(BodyReader.body(ctx).getBytes())));
    } catch (AlertPayload.InvalidPayload e) {
      HttpVerticle.error(ctx, 400, "invalid Alertmanager payload", e.getMessage());
    }
  }

  /** One JSON object, a JSON array, or NDJSON; valid events count even beside invalid ones. */
  void handleEvents(RoutingContext ctx) {
    byte[] body = BodyReader.body(ctx).getBytes();
    vertx
        .executeBlocking(() -> EventBody.ingest(body, parts.events()), false)
        .onSuccess(
            r -> {
              JsonArray rejected = new JsonArray();
              r.rejected().forEach(x -> rejected.add(new JsonObject(new LinkedHashMap<>(x))));
              JsonObject answer =
                  new JsonObject().put("accepted", r.accepted()).put("rejected", rejected);
              if (r.rejectedCount() > rejected.size()) {
                answer.put("rejected_count", r.rejectedCount());
              }
              HttpVerticle.json(
                  ctx, r.accepted() == 0 && r.rejectedCount() > 0 ? 400 : 200, answer);
            })
        .onFailure(ctx::fail);
  }

  void handlePause(RoutingContext ctx, boolean pause) {
    String id = ctx.pathParam("id");
    vertx
        .executeBlocking(() -> parts.scheduler().setPaused(id, pause), false)
        .onSuccess(v -> HttpVerticle.json(ctx, 200, ReadHandlers.scheduleJson(v)))
        .onFailure(
            e -> {
              if (e instanceof Scheduler.UnknownScheduleException) {
                HttpVerticle.error(
                    ctx,
                    404,
                    "unknown schedule",
                    e.getMessage() + "; GET /api/v1/schedules lists them");
              } else {
                ctx.fail(e);
              }
            });
  }

  /**
   * {@code {"enabled": true, "until": ISO-8601 | "for": "2h", "reason": "..."}} or {@code
   * {"enabled": false}}; switching off clears the operator's setting (windows still apply).
   */
  // Long on purpose: parse, check, apply off the event loop, reply.
  void handleSetMaintenance(RoutingContext ctx) {
    JsonObject body;
    try {
      body = new JsonObject(BodyReader.body(ctx));
    } catch (DecodeException | ClassCastException e) {
      HttpVerticle.error(
          ctx,
          400,
          "invalid body",
          "expecting a JSON object like {\"enabled\":"
              + " true, \"for\": \"2h\", \"reason\": \"upgrade\"}");
      return;
    }
    if (body == null || !(body.getValue("enabled") instanceof Boolean enabled)) {
      HttpVerticle.error(ctx, 400, "invalid body", "enabled: expecting true or false");
      return;
    }
    Maintenance.Manual set;
    try {
      set = enabled ? new Maintenance.Manual(until(body), body.getString("reason", "")) : null;
    } catch (IllegalArgumentException | ClassCastException e) {
      HttpVerticle.error(ctx, 400, "invalid body", e.getMessage());
      return;
    }
    vertx
        .executeBlocking(
            () -> {
              parts.maintenance().set(set);
              return null;
            },
            false)
        .onSuccess(
            v -> {
              log.info(
                  "Maintenance {} by API",
                  set == null
                      ? "off"
                      : "on until "
                          + set.until()
                          + (set.reason().isEmpty() ? "" : " (" + set.reason() + ")"));
              events.maintenanceMayHaveChanged();
              HttpVerticle.json(
                  ctx,
                  200,
                  ReadHandlers.maintenanceJson(
                      parts.maintenance().status(parts.clock().instant())));
            })
        .onFailure(ctx::fail);
  }

  private Instant until(JsonObject body) {
    Instant now = parts.clock().instant();
    if (body.getValue("until") instanceof String text) {
      try {
        Instant until = Instant.parse(text);
        if (!until.isAfter(now) || until.isAfter(now.plus(Units.MAX_DURATION))) {
          throw new IllegalArgumentException(
              "until: expecting a time in the future, at most" + " 3650 days ahead; got " + text);
        }
        return until;
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "until: expecting ISO-8601 like" + " 2026-11-23T18:00:00Z; got \"" + text + "\"");
      }
    }
    String forText = body.getValue("for") instanceof String f ? f : "1h";
    Duration d = Units.parseDuration(forText);
    if (d == null || d.isZero()) {
      throw new IllegalArgumentException(
          "for: expecting a positive duration like 30m or 2h,"
              + " at most 3650d; got \""
              + forText
              + "\"");
    }
    return now.plus(d);
  }

  private static JsonObject webhookAnswer(List<AlertRouter.Decision> decisions) {
    JsonArray triggered = new JsonArray();
    JsonArray ignored = new JsonArray();
    for (AlertRouter.Decision d : decisions) {
      d.actions()
          .forEach(a -> triggered.add(new JsonObject().put("alert", d.ref()).put("action", a)));
      d.ignored()
          .ifPresent(
              reason ->
                  ignored.add(
                      new JsonObject()
                          .put("alert", d.ref())
                          .put("reason", reason.label())
                          .put("detail", d.detail())));
    }
    return new JsonObject()
        .put("received", decisions.size())
        .put("triggered", triggered)
        .put("ignored", ignored);
  }

  private static boolean flag(RoutingContext ctx, String name) {
    String v = ctx.queryParams().get(name);
    return v != null && (v.isEmpty() || v.equalsIgnoreCase("true") || v.equals("1"));
  }
}
