package io.caretaker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caretaker.config.Config;
import io.caretaker.config.ConfigLoader;
import io.caretaker.daemon.Daemon;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The webhook, maintenance and schedule endpoints of a running agent. */
class TriggersApiTest {
  private static final String TOKEN = "am-token";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Path FIXTURES = Path.of("src/test/resources/fixtures/alertmanager");

  @TempDir static Path dir;
  private static Daemon daemon;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    Config config =
        ConfigLoader.parse(
            "t.yml",
            """
        agent: { data_dir: %s }
        server: { port: 0, tokens: [%s], max_body_bytes: 4096 }
        actions:
          log-cleanup: { type: command, argv: ["true"], cooldown: 0s }
        schedules:
          - { id: hourly, action: log-cleanup, every: 1h }
        alertmanager:
          routes: [ { matchers: ['remediate=~".+"'], action_from_label: remediate } ]
        """
                .formatted(dir.resolve("data"), TOKEN),
            Map.of());
    daemon = Daemon.start(config, List.of());
    base = "http://127.0.0.1:" + daemon.port();
  }

  @AfterAll
  static void stop() {
    daemon.close();
  }

  private static HttpResponse<String> post(String path, String token, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String get(String path) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(base + path)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  void alertmanagerFixtureRunsTheLabelledActionWithAnAlertTrigger() throws Exception {
    HttpResponse<String> r =
        post(
            "/api/v1/alertmanager",
            TOKEN,
            Files.readString(FIXTURES.resolve("firing-grouped.json")));
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject answer = new JsonObject(r.body());
    assertThat(answer.getInteger("received")).isEqualTo(2);
    String ref = answer.getJsonArray("triggered").getJsonObject(0).getString("alert");
    await()
        .untilAsserted(
            () -> {
              JsonArray runs =
                  new JsonObject(get("/api/v1/runs?action=log-cleanup")).getJsonArray("runs");
              assertThat(runs.stream().map(o -> ((JsonObject) o).getJsonObject("trigger")))
                  .contains(new JsonObject().put("type", "alert").put("ref", ref));
            });
    assertThat(ref).startsWith("HostDiskAlmostFull ");

    // Alertmanager says the alert resolved: the run that answered it worked
    await().until(() -> get("/api/v1/runs?action=log-cleanup").contains("\"outcome\":\"success\""));
    post(
        "/api/v1/alertmanager", TOKEN, Files.readString(FIXTURES.resolve("resolved-grouped.json")));
    await()
        .untilAsserted(
            () ->
                assertThat(
                        new JsonObject(get("/api/v1/runs?action=log-cleanup&effect=effective"))
                            .getJsonArray("runs").stream()
                                .map(o -> ((JsonObject) o).getJsonObject("effect_detail"))
                                .map(d -> d.getString("alert")))
                    .contains(ref));
  }

  @Test
  void curlDashDBodiesLabelledAsFormsAreReadAsJson() throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/alertmanager"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", "Bearer " + TOKEN)
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        Files.readString(FIXTURES.resolve("firing-single.json"))))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(new JsonObject(r.body()).getInteger("received")).isEqualTo(1);
  }

  @Test
  void badWebhookBodiesChangeNothing() throws Exception {
    String before = get("/metrics?name[]=caretaker_alerts_received_total");
    HttpResponse<String> malformed = post("/api/v1/alertmanager", TOKEN, "{\"alerts\": [");
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(malformed.body()).getString("detail")).startsWith("malformed JSON");
    HttpResponse<String> shape =
        post(
            "/api/v1/alertmanager",
            TOKEN,
            "{\"alerts\": [{\"status\": \"firing\", \"labels\": {}}, {\"status\": 7}]}");
    assertThat(shape.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(shape.body()).getString("detail")).startsWith("alerts[1].status");
    assertThat(post("/api/v1/alertmanager", null, "{}").statusCode()).isEqualTo(401);
    assertThat(
            post("/api/v1/alertmanager", TOKEN, "{\"alerts\": [" + "{},".repeat(2000) + "{}]}")
                .statusCode())
        .isEqualTo(413);
    assertThat(get("/metrics?name[]=caretaker_alerts_received_total")).isEqualTo(before);
  }

  @Test
  void maintenanceOnSkipsAlertsButNotManualRunsAndShowsInTheMetric() throws Exception {
    HttpResponse<String> on =
        post(
            "/api/v1/maintenance",
            TOKEN,
            "{\"enabled\": true, \"for\": \"10m\", \"reason\": \"upgrade\"}");
    assertThat(on.statusCode()).as(on.body()).isEqualTo(200);
    try {
      assertThat(new JsonObject(get("/api/v1/maintenance")).getString("source"))
          .isEqualTo("manual");
      assertThat(get("/metrics")).contains("caretaker_maintenance_mode 1.0");
      String body =
          Files.readString(FIXTURES.resolve("firing-grouped.json"))
              .replace("\"fingerprint\": \"", "\"fingerprint\": \"maint");
      post("/api/v1/alertmanager", TOKEN, body);
      await()
          .untilAsserted(
              () ->
                  assertThat(get("/api/v1/runs?action=log-cleanup"))
                      .contains("\"reason\":\"maintenance\""));
      JsonObject manual =
          new JsonObject(post("/api/v1/actions/log-cleanup/run?wait=true", TOKEN, "").body());
      assertThat(manual.getString("outcome")).isEqualTo("success");
    } finally {
      post("/api/v1/maintenance", TOKEN, "{\"enabled\": false}");
    }
    assertThat(get("/metrics")).contains("caretaker_maintenance_mode 0.0");
    assertThat(
            post("/api/v1/maintenance", TOKEN, "{\"enabled\": true, \"for\": \"soon\"}")
                .statusCode())
        .isEqualTo(400);
  }

  @Test
  void maintenanceBeyondTenYearsIsRefusedAndChangesNothing() throws Exception {
    for (String body :
        List.of(
            "{\"enabled\": true, \"for\": \"99999999999999999999d\"}",
            "{\"enabled\": true, \"for\": \"9223372036854775807ms\"}",
            "{\"enabled\": true, \"until\": \"+292279051-01-01T00:00:00Z\"}",
            "{\"enabled\": true, \"until\": \"2999-01-01T00:00:00Z\"}")) {
      HttpResponse<String> r = post("/api/v1/maintenance", TOKEN, body);
      assertThat(r.statusCode()).as(body).isEqualTo(400);
      assertThat(r.body()).contains("at most");
    }
    assertThat(new JsonObject(get("/api/v1/maintenance")).getBoolean("enabled")).isFalse();
  }

  @Test
  void schedulesListPauseAndTheNextRunMetric() throws Exception {
    JsonObject s =
        new JsonObject(get("/api/v1/schedules")).getJsonArray("schedules").getJsonObject(0);
    assertThat(s.getString("every")).isEqualTo("1h");
    assertThat(s.getString("next_run")).isNotNull();
    assertThat(get("/metrics"))
        .contains("caretaker_schedule_next_run_timestamp_seconds{schedule=\"hourly\"}");
    assertThat(post("/api/v1/schedules/hourly/pause", TOKEN, "").body())
        .contains("\"paused\":true");
    assertThat(post("/api/v1/schedules/nope/pause", TOKEN, "").statusCode()).isEqualTo(404);
    assertThat(post("/api/v1/schedules/hourly/resume", TOKEN, "").body())
        .contains("\"paused\":false");
  }

  @Test
  void openApiDocumentNamesEveryEndpoint() throws Exception {
    String doc = get("/api/v1/openapi.yaml");
    assertThat(doc).startsWith("openapi: 3");
    assertThat(doc)
        .contains(
            "/api/v1/alertmanager:",
            "/api/v1/maintenance:",
            "/api/v1/schedules/{id}/pause:",
            "/api/v1/actions/{name}/run:",
            "/api/v1/trading/events:",
            "/api/v1/actions/run-all:",
            "/api/v1/events:");
  }
}
