package io.caretaker.http;

import io.caretaker.config.Version;
import io.caretaker.metrics.Series;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code GET /api/v1/status}: the agent at a glance, what the status page's header shows: health
 * and what lowers it, Redis and PostgreSQL, maintenance, firing rules, and each collector's last
 * run, read from the last snapshot's own series.
 */
final class StatusHandler {
  private final AgentParts parts;

  StatusHandler(AgentParts parts) {
    this.parts = parts;
  }

  void handle(RoutingContext ctx) {
    Instant now = parts.clock().instant();
    MetricSnapshots snapshot = parts.loop().collect();
    JsonArray firing = new JsonArray();
    parts.rules().instances().stream()
        .filter(i -> i.state().firing())
        .forEach(
            i ->
                firing.add(
                    new JsonObject().put("ref", i.ref()).put("state", ReadHandlers.state(i))));
    HttpVerticle.json(
        ctx,
        200,
        new JsonObject()
            .put("instance", parts.instance())
            .put("version", Version.VALUE)
            .put("uptime_seconds", Duration.between(parts.started(), now).toSeconds())
            .put(
                "last_collection",
                parts.loop().latest().map(s -> s.collectedAt().toString()).orElse(null))
            .put("health_score", parts.rules().health().score())
            .put("redis_up", parts.redisUp().get())
            .put("postgres_up", postgresUp(snapshot))
            .put("maintenance", ReadHandlers.maintenanceJson(parts.maintenance().status(now)))
            .put("firing_rules", firing)
            .put("health_checks", healthChecks())
            .put("collectors", collectors(snapshot)));
  }

  /** What lowers the health score: every check that is not ok, with its detail. */
  private JsonArray healthChecks() {
    JsonArray out = new JsonArray();
    parts
        .rules()
        .health()
        .checks()
        .forEach(
            c ->
                out.add(
                    new JsonObject()
                        .put("name", c.name())
                        .put("status", c.status().name().toLowerCase(Locale.ROOT))
                        .put("detail", c.detail())));
    return out;
  }

  /** Each collector's last duration, success and errors, from the last snapshot's own series. */
  private static JsonArray collectors(MetricSnapshots snapshot) {
    Map<String, String> fields =
        Map.of(
            "caretaker_collector_duration_seconds", "duration_seconds",
            "caretaker_collector_success", "success",
            "caretaker_collector_errors_total", "errors");
    Map<String, JsonObject> byName = new TreeMap<>();
    Series.index(snapshot, fields.keySet())
        .forEach(
            (metric, series) -> {
              String field = fields.get(metric);
              for (Series s : series) {
                byName
                    .computeIfAbsent(
                        s.labels().get("collector"), n -> new JsonObject().put("name", n))
                    .put(
                        field,
                        field.equals("duration_seconds") ? s.value() : (Object) (long) s.value());
              }
            });
    JsonArray out = new JsonArray();
    byName.values().forEach(out::add);
    return out;
  }

  /** Null without PostgreSQL; else whether every configured database answered. */
  private static Boolean postgresUp(MetricSnapshots snapshot) {
    List<Series> up =
        Series.index(snapshot, Set.of("caretaker_postgres_up")).get("caretaker_postgres_up");
    return up == null ? null : up.stream().allMatch(s -> s.value() == 1);
  }
}
