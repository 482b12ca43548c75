package io.caretaker.http;

import io.caretaker.actions.Effect;
import io.caretaker.actions.RunRecord;
import io.caretaker.actions.RunRecord.Outcome;
import io.caretaker.config.ActionConfig;
import io.caretaker.config.RuleConfig;
import io.caretaker.config.Units;
import io.caretaker.rules.RuleInstance;
import io.caretaker.run.ActionExecutor;
import io.caretaker.run.Maintenance;
import io.caretaker.triggers.Scheduler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The GET side of the API: status, actions, runs, rules, schedules, maintenance, the OpenAPI
 * document. Read-only without a token; every handler reads in-memory state on the event loop and
 * never waits on a disk.
 */
final class ReadHandlers {
  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 10_000;
  private static final Buffer OPENAPI = Buffer.buffer(resource("openapi.yaml"));

  private final AgentParts parts;

  ReadHandlers(AgentParts parts) {
    this.parts = parts;
  }

  void handleActions(RoutingContext ctx) {
    JsonArray out = new JsonArray();
    parts.executor().configs().values().stream()
        .sorted(Comparator.comparing(ActionConfig::name))
        .forEach(a -> out.add(actionJson(a)));
    HttpVerticle.json(ctx, 200, new JsonObject().put("actions", out));
  }

  private JsonObject actionJson(ActionConfig a) {
    ActionExecutor executor = parts.executor();
    ActionExecutor.Guards guards = executor.guards(a.name());
    return new JsonObject()
        .put("name", a.name())
        .put("type", a.type())
        .put("cooldown", Units.format(a.cooldown()))
        .put("timeout", Units.format(a.timeout()))
        .put("dry_run", a.dryRun())
        .put("tags", new JsonArray(a.tags()))
        .put("cooldown_left", Units.format(roundedUp(guards.cooldownLeft())))
        .put("budget_left", guards.budgetLeft().orElse(null))
        .put(
            "guard",
            a.guard().isEmpty() ? null : new JsonObject(executor.guardVerdict(a.name()).toMap()))
        .put(
            "circuit_open_since",
            executor.circuitOpenSince(a.name()).map(Instant::toString).orElse(null))
        .put("running", executor.running(a.name()))
        .put(
            "last_run",
            executor.history().last(a.name()).map(r -> new JsonObject(r.toJson())).orElse(null));
  }

  void handleRuns(RoutingContext ctx) {
    int limit = DEFAULT_LIMIT;
    String text = ctx.queryParams().get("limit");
    if (text != null) {
      try {
        limit = Integer.parseInt(text);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > MAX_LIMIT) {
        HttpVerticle.error(
            ctx,
            400,
            "invalid limit",
            "limit must be a whole number from 1 to " + MAX_LIMIT + "; got \"" + text + "\"");
        return;
      }
    }
    Optional<String> action = Optional.ofNullable(ctx.queryParams().get("action"));
    if (action.isPresent() && !parts.executor().configs().containsKey(action.get())) {
      HttpVerticle.error(
          ctx, 404, "unknown action", HttpVerticle.noSuchAction(parts, action.get()));
      return;
    }
    Optional<Outcome> outcome;
    Optional<Effect> effect;
    try {
      effect = Optional.ofNullable(ctx.queryParams().get("effect")).map(Effect::of);
    } catch (IllegalArgumentException e) {
      HttpVerticle.error(
          ctx,
          400,
          "invalid effect",
          "effect is one of effective, ineffective, unknown; got \""
              + ctx.queryParams().get("effect")
              + "\"");
      return;
    }
    try {
      outcome = Optional.ofNullable(ctx.queryParams().get("outcome")).map(Outcome::of);
    } catch (IllegalArgumentException e) {
      HttpVerticle.error(
          ctx,
          400,
          "invalid outcome",
          "outcome is one of success, failure, skipped, timeout, running; got \""
              + ctx.queryParams().get("outcome")
              + "\"");
      return;
    }
    JsonArray runs = new JsonArray();
    parts
        .executor()
        .history()
        .newest(
            r ->
                action.map(r.action()::equals).orElse(true)
                    && outcome.map(o -> r.outcome() == o).orElse(true)
                    && effect.map(e -> r.effect() == e).orElse(true),
            limit)
        .forEach(r -> runs.add(withProgress(r)));
    HttpVerticle.json(ctx, 200, new JsonObject().put("runs", runs));
  }

  void handleRun(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    Optional<RunRecord> run;
    try {
      run = parts.executor().history().find(Long.parseLong(id));
    } catch (NumberFormatException e) {
      HttpVerticle.error(ctx, 400, "invalid run id", "run ids are numbers; got \"" + id + "\"");
      return;
    }
    run.ifPresentOrElse(
        r -> HttpVerticle.json(ctx, 200, withProgress(r)),
        () ->
            HttpVerticle.error(
                ctx,
                404,
                "unknown run",
                "No run with id " + id + " (the history keeps the newest 10000)"));
  }

  /** A run's record; one still running carries its figures so far as {@code progress}. */
  private JsonObject withProgress(RunRecord r) {
    JsonObject json = new JsonObject(r.toJson());
    if (r.outcome() == Outcome.RUNNING) {
      parts.executor().progress(r.id()).ifPresent(p -> json.put("progress", new JsonObject(p)));
    }
    return json;
  }

  private JsonArray chainJson(String ref) {
    JsonArray out = new JsonArray();
    parts
        .rules()
        .chain(ref)
        .forEach(
            s ->
                out.add(
                    new JsonObject()
                        .put("action", s.action())
                        .put("run_id", s.runId())
                        .put("verdict", s.verdict())));
    return out;
  }

  /** Whole seconds: "4m55s", not "4m54s344ms". */
  private static Duration roundedUp(Duration d) {
    return Duration.ofSeconds(d.getSeconds() + (d.getNano() > 0 ? 1 : 0));
  }

  void handleRules(RoutingContext ctx) {
    JsonArray out = new JsonArray();
    Map<String, RuleConfig> configs = parts.rules().configs();
    for (RuleInstance i : parts.rules().instances()) {
      RuleConfig c = configs.get(i.rule());
      out.add(
          new JsonObject()
              .put("rule", i.rule())
              .put("direction", c == null ? null : c.direction().name().toLowerCase(Locale.ROOT))
              .put("warning", c == null ? null : c.warning().orElse(null))
              .put("critical", c == null ? null : c.critical().orElse(null))
              .put("labels", new JsonObject(new LinkedHashMap<>(i.labels())))
              .put("ref", i.ref())
              .put("value", Double.isFinite(i.value()) ? i.value() : null)
              .put("state", state(i))
              .put("since", i.since().toString())
              .put("stale", i.stale())
              .put("escalation", chainJson(i.ref())));
    }
    HttpVerticle.json(ctx, 200, new JsonObject().put("rules", out));
  }

  void handleSchedules(RoutingContext ctx) {
    JsonArray out = new JsonArray();
    parts.scheduler().list().forEach(v -> out.add(scheduleJson(v)));
    HttpVerticle.json(ctx, 200, new JsonObject().put("schedules", out));
  }

  void handleMaintenance(RoutingContext ctx) {
    HttpVerticle.json(
        ctx, 200, maintenanceJson(parts.maintenance().status(parts.clock().instant())));
  }

  /** {@code ?period=daily|weekly|FROM..TO&format=json|csv|html}: the period's report. */
  void handleOpenApi(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "application/yaml").end(OPENAPI);
  }

  static JsonObject scheduleJson(Scheduler.View v) {
    return new JsonObject()
        .put("id", v.id())
        .put("action", v.action())
        .put("cron", v.cron().orElse(null))
        .put("every", v.every().map(Units::format).orElse(null))
        .put("timezone", v.timezone())
        .put("offset", Units.format(v.offset()))
        .put("paused", v.paused())
        .put("next_run", v.nextRun() == null ? null : v.nextRun().toString());
  }

  /** The one JSON form of maintenance, in the status and on its own endpoint. */
  static JsonObject maintenanceJson(Maintenance.Status s) {
    return new JsonObject()
        .put("enabled", s.enabled())
        .put("source", s.source())
        .put("until", s.until().map(Instant::toString).orElse(null))
        .put("reason", s.enabled() ? s.reason() : null);
  }

  static String state(RuleInstance i) {
    return i.state().name().toLowerCase(Locale.ROOT);
  }

  private static byte[] resource(String name) {
    try (InputStream in = ReadHandlers.class.getResourceAsStream(name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
