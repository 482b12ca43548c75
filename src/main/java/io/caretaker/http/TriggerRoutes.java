package io.caretaker.http;

import io.caretaker.run.ActionExecutor;
import io.caretaker.run.ActionExecutor.RunOptions;
import io.caretaker.run.Maintenance;
import io.caretaker.actions.Trigger;
import io.caretaker.config.Units;
import io.caretaker.triggers.AlertPayload;
import io.caretaker.triggers.AlertRouter;
import io.caretaker.triggers.Scheduler;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What starts actions besides rules and operators: the webhook, schedules, maintenance. */
public final class TriggerRoutes {
  private static final Logger log = LoggerFactory.getLogger(TriggerRoutes.class);
  private static final byte[] OPENAPI = resource("openapi.yaml");

  private final AlertRouter alerts;
  private final Scheduler scheduler;
  private final Maintenance maintenance;
  private final ActionExecutor executor;
  private final Clock clock;
  private Vertx vertx;

  public TriggerRoutes(AlertRouter alerts, Scheduler scheduler, Maintenance maintenance,
      ActionExecutor executor, Clock clock) {
    this.alerts = alerts;
    this.scheduler = scheduler;
    this.maintenance = maintenance;
    this.executor = executor;
    this.clock = clock;
  }

  void mount(Vertx vertx, Router router, java.util.function.Function<String, Route> post) {
    this.vertx = vertx;
    post.apply("/api/v1/alertmanager").handler(this::handleWebhook);
    router.get("/api/v1/schedules").handler(this::handleSchedules);
    post.apply("/api/v1/schedules/:id/pause").handler(ctx -> handlePause(ctx, true));
    post.apply("/api/v1/schedules/:id/resume").handler(ctx -> handlePause(ctx, false));
    router.get("/api/v1/maintenance").handler(this::handleGetMaintenance);
    post.apply("/api/v1/maintenance").handler(this::handleSetMaintenance);
    router.get("/api/v1/openapi.yaml").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/yaml").end(io.vertx.core.buffer.Buffer.buffer(
            OPENAPI)));
  }

  /**
   * The whole body is checked and every alert's fate decided before answering (400 and nothing
   * done for a bad body); the answer goes out at once and the actions start after it, on a
   * worker. Parsing and routing stay on the event loop: they are pure CPU, tens of microseconds
   * for Alertmanager's bodies, and moving them to a worker raised the p99 of
   * bench/webhook-load.sh from 6.9 ms to 28 ms (thread hops and contention on 2 cores).
   */
  private void handleWebhook(RoutingContext ctx) {
    byte[] body = BodyReader.body(ctx).getBytes();
    List<AlertRouter.Decision> decisions;
    try {
      decisions = alerts.route(AlertPayload.parse(body));
    } catch (AlertPayload.InvalidPayload e) {
      HttpVerticle.error(ctx, 400, "invalid Alertmanager payload", e.getMessage());
      return;
    }
    HttpVerticle.json(ctx, 200, answer(decisions));
    if (decisions.stream().anyMatch(d -> d.action().isPresent())) {
      vertx.executeBlocking(() -> {
        for (AlertRouter.Decision d : decisions) {
          d.action().ifPresent(a -> executor.submit(a, Trigger.alert(d.ref()), RunOptions.NORMAL));
        }
        return null;
      }, false).onFailure(e -> log.error("Starting actions for alerts failed", e));
    }
  }

  private static JsonObject answer(List<AlertRouter.Decision> decisions) {
    JsonArray triggered = new JsonArray();
    JsonArray ignored = new JsonArray();
    for (AlertRouter.Decision d : decisions) {
      JsonObject o = new JsonObject().put("alert", d.ref());
      if (d.action().isPresent()) {
        triggered.add(o.put("action", d.action().get()));
      } else {
        ignored.add(o.put("reason", d.ignored().get().label()).put("detail", d.detail()));
      }
    }
    return new JsonObject().put("received", decisions.size()).put("triggered", triggered)
        .put("ignored", ignored);
  }

  private void handleSchedules(RoutingContext ctx) {
    JsonArray out = new JsonArray();
    scheduler.list().forEach(v -> out.add(view(v)));
    HttpVerticle.json(ctx, 200, new JsonObject().put("schedules", out));
  }

  private void handlePause(RoutingContext ctx, boolean pause) {
    String id = ctx.pathParam("id");
    vertx.executeBlocking(() -> scheduler.setPaused(id, pause), false)
        .onSuccess(v -> HttpVerticle.json(ctx, 200, view(v)))
        .onFailure(e -> {
          if (e instanceof Scheduler.UnknownScheduleException) {
            HttpVerticle.error(ctx, 404, "unknown schedule", e.getMessage()
                + "; GET /api/v1/schedules lists them");
          } else {
            ctx.fail(e);
          }
        });
  }

  private static JsonObject view(Scheduler.View v) {
    return new JsonObject().put("id", v.id()).put("action", v.action())
        .put("cron", v.cron().orElse(null))
        .put("every", v.every().map(Units::format).orElse(null))
        .put("timezone", v.timezone()).put("paused", v.paused())
        .put("next_run", v.nextRun() == null ? null : v.nextRun().toString());
  }

  private void handleGetMaintenance(RoutingContext ctx) {
    HttpVerticle.json(ctx, 200, maintenanceJson());
  }

  /**
   * {@code {"enabled": true, "until": ISO-8601 | "for": "2h", "reason": "..."}} or
   * {@code {"enabled": false}}; switching off clears the operator's setting (windows still apply).
   */
  private void handleSetMaintenance(RoutingContext ctx) {
    JsonObject body;
    try {
      body = new JsonObject(BodyReader.body(ctx));
    } catch (DecodeException | ClassCastException e) {
      HttpVerticle.error(ctx, 400, "invalid body", "expecting a JSON object like {\"enabled\":"
          + " true, \"for\": \"2h\", \"reason\": \"upgrade\"}");
      return;
    }
    if (body == null || !(body.getValue("enabled") instanceof Boolean enabled)) {
      HttpVerticle.error(ctx, 400, "invalid body", "enabled: expecting true or false");
      return;
    }
    Maintenance.Manual manual = null;
    if (enabled) {
      Instant until;
      try {
        until = until(body);
      } catch (IllegalArgumentException e) {
        HttpVerticle.error(ctx, 400, "invalid body", e.getMessage());
        return;
      }
      manual = new Maintenance.Manual(until, body.getString("reason", ""));
    }
    Maintenance.Manual set = manual;
    vertx.executeBlocking(() -> {
      maintenance.set(set);
      return null;
    }, false).onSuccess(v -> {
      log.info("Maintenance {} by API", set == null ? "off" : "on until " + set.until()
          + (set.reason().isEmpty() ? "" : " (" + set.reason() + ")"));
      HttpVerticle.json(ctx, 200, maintenanceJson());
    }).onFailure(ctx::fail);
  }

  private Instant until(JsonObject body) {
    Instant now = clock.instant();
    if (body.getValue("until") instanceof String text) {
      try {
        Instant until = Instant.parse(text);
        if (!until.isAfter(now) || until.isAfter(now.plus(Units.MAX_DURATION))) {
          throw new IllegalArgumentException("until: expecting a time in the future, at most"
              + " 3650 days ahead; got " + text);
        }
        return until;
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("until: expecting ISO-8601 like"
            + " 2026-11-23T18:00:00Z; got \"" + text + "\"");
      }
    }
    String forText = body.getValue("for") instanceof String f ? f : "1h";
    Duration d = Units.parseDuration(forText);
    if (d == null || d.isZero()) {
      throw new IllegalArgumentException("for: expecting a positive duration like 30m or 2h,"
          + " at most 3650d; got \"" + forText + "\"");
    }
    return now.plus(d);
  }

  private JsonObject maintenanceJson() {
    Maintenance.Status s = maintenance.status(clock.instant());
    return new JsonObject().put("enabled", s.enabled()).put("source", s.source())
        .put("until", s.until().map(Instant::toString).orElse(null))
        .put("reason", s.enabled() ? s.reason() : null);
  }

  private static byte[] resource(String name) {
    try (InputStream in = TriggerRoutes.class.getResourceAsStream(name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
