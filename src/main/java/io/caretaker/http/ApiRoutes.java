package io.caretaker.http;

import io.caretaker.config.Version;
import io.caretaker.run.ActionExecutor;
import io.caretaker.run.ActionExecutor.RunOptions;
import io.caretaker.run.ActionExecutor.UnknownActionException;
import io.caretaker.run.Maintenance;
import io.caretaker.actions.RunRecord;
import io.caretaker.actions.Trigger;
import io.caretaker.collect.CollectionLoop;
import io.caretaker.config.ActionConfig;
import io.caretaker.config.Units;
import io.caretaker.rules.HealthScore;
import io.caretaker.rules.RuleEngine;
import io.caretaker.rules.RuleInstance;
import io.caretaker.trading.EventBody;
import io.caretaker.trading.TradingEvents;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/** The REST API under {@code /api/v1}: status, actions and runs, rules, events; triggers. */
public final class ApiRoutes {
  private static final int DEFAULT_LIMIT = 50;
  private static final int MAX_LIMIT = 10_000;

  private final String instance;
  private final ActionExecutor executor;
  private final RuleEngine rules;
  private final CollectionLoop loop;
  private final Maintenance maintenance;
  private final Supplier<HealthScore.Result> health;
  private final Clock clock;
  private final TradingEvents events;
  private final Supplier<Boolean> redisUp;
  private final Instant started;
  private final TriggerRoutes triggers;
  private Vertx vertx;

  public ApiRoutes(String instance, ActionExecutor executor, RuleEngine rules, CollectionLoop loop,
      Maintenance maintenance, Supplier<HealthScore.Result> health, TradingEvents events,
      Supplier<Boolean> redisUp, TriggerRoutes triggers, Clock clock) {
    this.triggers = triggers;
    this.events = events;
    this.redisUp = redisUp;
    this.instance = instance;
    this.executor = executor;
    this.rules = rules;
    this.loop = loop;
    this.maintenance = maintenance;
    this.health = health;
    this.clock = clock;
    this.started = clock.instant();
  }

  /** The route table; {@code post} makes a POST route with the body limit and token guards. */
  void mount(Vertx vertx, Router router, Function<String, Route> post) {
    this.vertx = vertx;
    router.get("/api/v1/status").handler(this::handleStatus);
    router.get("/api/v1/actions").handler(this::handleActions);
    post.apply("/api/v1/actions/:name/run").handler(this::handleRunAction);
    router.get("/api/v1/runs").handler(this::handleRuns);
    router.get("/api/v1/runs/:id").handler(this::handleRun);
    router.get("/api/v1/rules").handler(this::handleRules);
    post.apply("/api/v1/trading/events").handler(this::handleEvents);
    triggers.mount(vertx, router, post);
  }

  private void handleStatus(RoutingContext ctx) {
    Instant now = clock.instant();
    Maintenance.Status inMaintenance = maintenance.status(now);
    JsonArray firing = new JsonArray();
    rules.instances().stream().filter(i -> i.state().firing())
        .forEach(i -> firing.add(new JsonObject().put("ref", i.ref())
            .put("state", i.state().name().toLowerCase())));
    HttpVerticle.json(ctx, 200, new JsonObject()
        .put("instance", instance)
        .put("version", Version.VALUE)
        .put("uptime_seconds", Duration.between(started, now).toSeconds())
        .put("last_collection", loop.latest().map(s -> s.collectedAt().toString()).orElse(null))
        .put("health_score", health.get().score())
        .put("redis_up", redisUp.get())
        .put("maintenance", new JsonObject().put("enabled", inMaintenance.enabled())
            .put("until", inMaintenance.until().map(Instant::toString).orElse(null))
            .put("reason", inMaintenance.enabled() ? inMaintenance.reason() : null))
        .put("firing_rules", firing));
  }

  private void handleActions(RoutingContext ctx) {
    JsonArray out = new JsonArray();
    executor.configs().values().stream().sorted(java.util.Comparator.comparing(
        ActionConfig::name)).forEach(a -> out.add(new JsonObject()
            .put("name", a.name())
            .put("type", a.type())
            .put("cooldown", Units.format(a.cooldown()))
            .put("timeout", Units.format(a.timeout()))
            .put("dry_run", a.dryRun())
            .put("running", executor.running(a.name()))
            .put("last_run", executor.history().newest(Optional.of(a.name()), 1).stream()
                .findFirst().map(r -> new JsonObject(r.toJson())).orElse(null))));
    HttpVerticle.json(ctx, 200, new JsonObject().put("actions", out));
  }

  private void handleRunAction(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    RunOptions options = new RunOptions(flag(ctx, "dry_run"), flag(ctx, "force"));
    boolean wait = flag(ctx, "wait");
    if (!executor.configs().containsKey(name)) {
      HttpVerticle.error(ctx, 404, "unknown action", "No action named \"" + name + "\"; GET"
          + " /api/v1/actions lists them");
      return;
    }
    // submit records skipped runs (an fsync), so it runs off the event loop.
    vertx.executeBlocking(() -> executor.submit(name, Trigger.manual("api"), options), false)
        .onFailure(e -> HttpVerticle.error(ctx, e instanceof UnknownActionException ? 404 : 500,
            "cannot run", e.getMessage()))
        .onSuccess(run -> {
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

  private void handleRuns(RoutingContext ctx) {
    int limit = DEFAULT_LIMIT;
    String text = ctx.queryParams().get("limit");
    if (text != null) {
      try {
        limit = Integer.parseInt(text);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > MAX_LIMIT) {
        HttpVerticle.error(ctx, 400, "invalid limit",
            "limit must be a whole number from 1 to " + MAX_LIMIT + "; got \"" + text + "\"");
        return;
      }
    }
    JsonArray runs = new JsonArray();
    executor.history().newest(Optional.ofNullable(ctx.queryParams().get("action")), limit)
        .forEach(r -> runs.add(new JsonObject(r.toJson())));
    HttpVerticle.json(ctx, 200, new JsonObject().put("runs", runs));
  }

  private void handleRun(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    Optional<RunRecord> run;
    try {
      run = executor.history().find(Long.parseLong(id));
    } catch (NumberFormatException e) {
      HttpVerticle.error(ctx, 400, "invalid run id", "run ids are numbers; got \"" + id + "\"");
      return;
    }
    run.ifPresentOrElse(r -> HttpVerticle.json(ctx, 200, new JsonObject(r.toJson())),
        () -> HttpVerticle.error(ctx, 404, "unknown run", "No run with id " + id
            + " (the history keeps the newest 10000)"));
  }

  private void handleRules(RoutingContext ctx) {
    JsonArray out = new JsonArray();
    for (RuleInstance i : rules.instances()) {
      out.add(new JsonObject()
          .put("rule", i.rule())
          .put("labels", new JsonObject(new java.util.LinkedHashMap<>(i.labels())))
          .put("ref", i.ref())
          .put("value", Double.isFinite(i.value()) ? i.value() : null)
          .put("state", i.state().name().toLowerCase())
          .put("since", i.since().toString())
          .put("stale", i.stale()));
    }
    HttpVerticle.json(ctx, 200, new JsonObject().put("rules", out));
  }

  /** One JSON object, a JSON array, or NDJSON; valid events count even beside invalid ones. */
  private void handleEvents(RoutingContext ctx) {
    byte[] body = BodyReader.body(ctx).getBytes();
    vertx.executeBlocking(() -> EventBody.ingest(body, events), false).onSuccess(r -> {
      JsonArray rejected = new JsonArray();
      r.rejected().forEach(x -> rejected.add(new JsonObject(new java.util.LinkedHashMap<>(x))));
      JsonObject answer = new JsonObject().put("accepted", r.accepted()).put("rejected", rejected);
      if (r.rejectedCount() > rejected.size()) {
        answer.put("rejected_count", r.rejectedCount());
      }
      HttpVerticle.json(ctx, r.accepted() == 0 && r.rejectedCount() > 0 ? 400 : 200, answer);
    }).onFailure(ctx::fail);
  }

  private static boolean flag(RoutingContext ctx, String name) {
    String v = ctx.queryParams().get(name);
    return v != null && (v.isEmpty() || v.equalsIgnoreCase("true") || v.equals("1"));
  }
}
