package io.caretaker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caretaker.collect.Collector;
import io.caretaker.config.Config;
import io.caretaker.config.ConfigLoader;
import io.caretaker.daemon.Daemon;
import io.caretaker.metrics.Family;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REST API of a running agent, over real HTTP. */
class ApiTest {
  private static final String TOKEN = "s3cret-token";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path dir;
  private static Daemon daemon;
  private static String base;

  /** A metric the test controls, so a rule fires on the first collection. */
  private static final Collector LOAD =
      new Collector() {
        @Override
        public String name() {
          return "fake";
        }

        @Override
        public List<MetricSnapshot> collect() {
          return List.of(Family.gauge("host_load1", "t").add(42).toSnapshot());
        }
      };

  @BeforeAll
  static void start() throws Exception {
    Config config =
        ConfigLoader.parse(
            "api.yml",
            """
        agent: { data_dir: %s }
        server: { port: 0, tokens: [%s], max_body_bytes: 2048 }
        collect: { interval: 1s }
        rules:
          - { name: load, metric: host_load1, critical: 10, actions: { critical: [echo] } }
        actions:
          echo: { type: command, argv: [echo, hello], cooldown: 1h }
          slow: { type: command, argv: [sleep, "0.3"], cooldown: 0s }
        """
                .formatted(dir.resolve("data"), TOKEN),
            Map.of());
    daemon = Daemon.start(config, List.of(LOAD));
    base = "http://127.0.0.1:" + daemon.port();
  }

  @AfterAll
  static void stop() {
    daemon.close();
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(base + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String path, String token, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void ruleFiresOnTheFirstCollectionAndItsRunIsListed() throws Exception {
    await()
        .untilAsserted(
            () -> {
              JsonArray runs =
                  new JsonObject(get("/api/v1/runs?action=echo").body()).getJsonArray("runs");
              assertThat(runs).isNotEmpty();
              JsonObject first = runs.getJsonObject(runs.size() - 1);
              assertThat(first.getJsonObject("trigger").getString("type")).isEqualTo("rule");
              assertThat(first.getJsonObject("trigger").getString("ref")).isEqualTo("load{}");
              assertThat(first.getString("outcome")).isEqualTo("success");
            });
    JsonObject rule =
        new JsonObject(get("/api/v1/rules").body()).getJsonArray("rules").getJsonObject(0);
    assertThat(rule.getString("state")).isEqualTo("critical");
    assertThat(rule.getDouble("value")).isEqualTo(42.0);
    assertThat(get("/metrics").body())
        .contains(
            "caretaker_rule_state{rule=\"load\"} 3.0",
            "caretaker_action_runs_total{action=\"echo\",outcome=\"success\",trigger=\"rule\"} 1.0");
  }

  @Test
  void postsNeedTheBearerToken() throws Exception {
    HttpResponse<String> none = post("/api/v1/actions/slow/run", null, "");
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    assertThat(post("/api/v1/actions/slow/run", "wrong", "").statusCode()).isEqualTo(401);
  }

  @Test
  void runNowAnswers202WithTheRunIdAndWaitReturnsTheRecord() throws Exception {
    HttpResponse<String> started = post("/api/v1/actions/slow/run", TOKEN, "");
    assertThat(started.statusCode()).isEqualTo(202);
    long id = new JsonObject(started.body()).getLong("run_id");
    await()
        .untilAsserted(
            () -> {
              HttpResponse<String> run = get("/api/v1/runs/" + id);
              assertThat(run.statusCode()).isEqualTo(200);
              assertThat(new JsonObject(run.body()).getString("outcome")).isEqualTo("success");
            });
    HttpResponse<String> waited =
        post("/api/v1/actions/slow/run?wait=true&dry_run=true", TOKEN, "");
    assertThat(waited.statusCode()).isEqualTo(200);
    JsonObject record = new JsonObject(waited.body());
    assertThat(record.getBoolean("dry_run")).isTrue();
    assertThat(record.getJsonObject("details").getBoolean("would_run")).isTrue();
  }

  @Test
  void skippedRunsSayWhy() throws Exception {
    await().until(() -> get("/api/v1/runs?action=echo").body().contains("success"));
    JsonObject skipped = new JsonObject(post("/api/v1/actions/echo/run", TOKEN, "").body());
    assertThat(skipped.getString("state")).isEqualTo("skipped");
    assertThat(skipped.getString("reason")).isEqualTo("cooldown");
    JsonObject forced =
        new JsonObject(post("/api/v1/actions/echo/run?force=true&wait=true", TOKEN, "").body());
    assertThat(forced.getString("outcome")).isEqualTo("success");
  }

  @Test
  void badRequestsGetJsonErrors() throws Exception {
    HttpResponse<String> unknown = post("/api/v1/actions/nope/run", TOKEN, "");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(unknown.body()).getString("error")).isEqualTo("unknown action");
    assertThat(post("/api/v1/actions/slow/run", TOKEN, "x".repeat(4096)).statusCode())
        .isEqualTo(413);
    assertThat(get("/api/v1/runs?limit=0").statusCode()).isEqualTo(400);
    assertThat(get("/api/v1/runs?limit=abc").statusCode()).isEqualTo(400);
    assertThat(get("/api/v1/runs/abc").statusCode()).isEqualTo(400);
    assertThat(get("/api/v1/runs/999999").statusCode()).isEqualTo(404);
    HttpResponse<String> wrongMethod =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/actions")).DELETE().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(get("/api/v1/nope").statusCode()).isEqualTo(404);
    assertThat(post("/nope", TOKEN, "").statusCode()).isEqualTo(404);
    assertThat(get("/api/v1/actions/echo/run").statusCode()).isEqualTo(405);
    HttpResponse<String> outcome = get("/api/v1/runs?outcome=%3Cb%3Ewon");
    assertThat(outcome.statusCode()).isEqualTo(400);
    assertThat(outcome.body()).contains("success, failure, skipped, timeout, running");
    HttpResponse<String> type = post("/api/v1/actions/run-all?type=rm-rf", TOKEN, "");
    assertThat(type.statusCode()).isEqualTo(400);
    assertThat(type.body()).contains("health-report");
    assertThat(post("/api/v1/actions/run-all", null, "").statusCode()).isEqualTo(401);
  }

  @Test
  void actionsAndStatusDescribeTheAgent() throws Exception {
    JsonArray actions = new JsonObject(get("/api/v1/actions").body()).getJsonArray("actions");
    assertThat(actions.stream().map(a -> ((JsonObject) a).getString("name")))
        .containsExactly("echo", "slow");
    assertThat(actions.getJsonObject(0).getString("cooldown")).isEqualTo("1h");
    JsonObject status = new JsonObject(get("/api/v1/status").body());
    assertThat(status.getString("version")).isNotBlank();
    await()
        .until(
            () ->
                new JsonObject(get("/api/v1/status").body()).getJsonArray("firing_rules").size()
                    == 1);
    assertThat(status.getInteger("health_score")).isBetween(0, 100);
  }

  @Test
  void tradingEventsArePushedAsNdjsonWithPerLineRejections() throws Exception {
    String body =
        "{\"type\":\"order\",\"status\":\"filled\",\"side\":\"sell\","
            + "\"venue\":\"IEX\",\"latency_ms\":2}\n{\"type\":\"order\"}\n";
    assertThat(post("/api/v1/trading/events", null, body).statusCode()).isEqualTo(401);
    HttpResponse<String> r = post("/api/v1/trading/events", TOKEN, body);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject answer = new JsonObject(r.body());
    assertThat(answer.getInteger("accepted")).isEqualTo(1);
    assertThat(answer.getJsonArray("rejected").getJsonObject(0).getInteger("line")).isEqualTo(2);
    assertThat(get("/metrics").body())
        .contains("trading_orders_total{side=\"sell\",status=\"filled\",venue=\"IEX\"} 1.0");
    assertThat(post("/api/v1/trading/events", TOKEN, "nonsense").statusCode()).isEqualTo(400);
  }

  @Test
  void withoutTokensEveryPostIsRefusedWithHowToFixIt() throws Exception {
    Config config =
        ConfigLoader.parse(
            "t.yml",
            "agent: { data_dir: " + dir.resolve("d2") + " }\nserver: { port: 0 }\n",
            Map.of());
    try (Daemon open = Daemon.start(config, List.of())) {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + open.port() + "/api/v1/actions/x/run"))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .header("Authorization", "Bearer anything")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(new JsonObject(r.body()).getString("detail")).contains("CARETAKER_TOKEN");
    }
  }
}
