package io.caretaker.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caretaker.testing.AgentProcess;
import io.caretaker.testing.Chromium;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in headless Chromium against an agent in its own JVM: it loads with no console
 * error, shows the configured actions, gates every control behind the token (kept in session
 * storage, never a cookie), starts a dry run whose figures open from the runs list, shows a slow
 * run's progress as it arrives over the event stream, toggles maintenance, and renders an alert
 * whose name is markup as the characters it is. Screenshots at a desktop and a phone width go to
 * target/screenshots.
 */
class ConsolePageIT {
  private static final String TOKEN = "console-token-31337";
  private static final String MARKUP = "<img src=x onerror=alert(1)>";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path dir;
  private static AgentProcess agent;
  private static int port;

  @BeforeAll
  static void startAgent() throws Exception {
    Path yml =
        Files.writeString(
            dir.resolve("caretaker.yml"),
            """
            agent: { instance: console-it, data_dir: %s }
            server: { port: 0, tokens: ["%s"] }
            collect: { interval: 1s }
            actions:
              report: { type: health-report, dir: %s }
              slow: { type: command, cooldown: 0s,
                      argv: [sh, -c, "for i in 1 2 3 4 5 6 7 8; do echo step $i; sleep 0.5; done"] }
            alertmanager:
              match_instance: false
              routes: [ { matchers: ['severity="info"'], action: report } ]
            schedules:
              - { id: nightly-report, action: report, cron: "30 2 * * *" }
            """
                .formatted(dir.resolve("data"), TOKEN, dir.resolve("reports")));
    agent = AgentProcess.start(dir, "serve", "-c", yml.toString());
    port = agent.awaitPort();
  }

  @AfterAll
  static void stopAgent() {
    if (agent != null) {
      agent.close();
    }
  }

  private static String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url(path)))
            .header("Authorization", "Bearer " + TOKEN)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String get(String path) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(url(path))).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** The action's runs, newest first, from the API. */
  private static List<JsonNode> runs(String action) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    new ObjectMapper().readTree(get("/api/v1/runs?action=" + action)).get("runs").forEach(out::add);
    return out;
  }

  private static boolean exists(Chromium page, String selector) throws Exception {
    return Boolean.TRUE.equals(
        page.evaluateValue(
            "document.querySelector("
                + new ObjectMapper().writeValueAsString(selector)
                + ") !== null"));
  }

  private static String text(Chromium page, String selector) throws Exception {
    return String.valueOf(
        page.evaluateValue(
            "[...document.querySelectorAll('"
                + selector
                + "')].map(e => e.textContent).join('|')"));
  }

  @Test
  // Long on purpose: one operator's session, step by step, in one browser.
  void anOperatorWatchesGatesRunsAndIsNeverScriptedByAlertText() throws Exception {
    try (Chromium page = Chromium.start(dir)) {
      page.open(url("/"), "document.body.dataset.loaded === 'yes'");
      assertThat(text(page, "#actions tbody th")).isEqualTo("report|slow");
      assertThat(text(page, "#schedules tbody th")).isEqualTo("nightly-report");
      assertThat(page.evaluateValue("document.querySelector('[aria-label=\"Run slow\"]').disabled"))
          .as("read-only without a token")
          .isEqualTo(true);

      page.evaluate(
          "document.getElementById('token').value = '"
              + TOKEN
              + "'; document.getElementById('token-form').requestSubmit(); true");
      assertThat(page.evaluateValue("sessionStorage.getItem('caretaker-token')")).isEqualTo(TOKEN);
      assertThat(page.evaluateValue("document.cookie")).isEqualTo("");
      assertThat(page.evaluateValue("location.href")).isEqualTo(url("/"));

      // a dry run from its button: in the runs list, its figures one click away
      int reports = runs("report").size();
      page.click("[aria-label=\"Dry run report\"]");
      await().atMost(Duration.ofSeconds(20)).until(() -> runs("report").size() > reports);
      long dry = runs("report").get(0).get("id").asLong();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> exists(page, "[aria-label=\"Details of run " + dry + "\"]"));
      page.click("[aria-label=\"Details of run " + dry + "\"]");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> text(page, "#run-details-body").contains("\"dry_run\": true"));
      assertThat(text(page, "#run-details-body")).contains("\"score\"");

      // "Run" asks first; only the confirmation starts it; its progress comes over the stream
      int slow = runs("slow").size();
      page.click("[aria-label=\"Run slow\"]");
      assertThat(exists(page, "[aria-label=\"Confirm run of slow\"]")).isTrue();
      assertThat(runs("slow")).as("not before the confirmation").hasSize(slow);
      page.click("[aria-label=\"Confirm run of slow\"]");
      await().atMost(Duration.ofSeconds(20)).until(() -> runs("slow").size() > slow);
      String started = runs("slow").get(0).get("id").asText();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> started.equals(page.evaluateValue("document.body.dataset.lastProgress")));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> text(page, "#runs tbody").contains("output bytes"));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> runs("slow").get(0).get("outcome").asText().equals("success"));

      // maintenance on and off from the page
      page.evaluate(
          "document.getElementById('maintenance-reason').value = 'kernel update';"
              + " document.getElementById('maintenance-on').requestSubmit(); true");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> text(page, "#maintenance-state").contains("kernel update"));
      assertThat(get("/api/v1/maintenance")).contains("\"enabled\":true");
      page.click("#maintenance-off");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> text(page, "#maintenance-state").startsWith("Off"));

      // an alert whose name is markup: shown as those characters, and nothing runs
      String fixture =
          Files.readString(Path.of("src/test/resources/fixtures/alertmanager/firing-single.json"))
              .replace("BenchTargetUp", MARKUP);
      assertThat(post("/api/v1/alertmanager", fixture).statusCode()).isEqualTo(200);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> text(page, "#runs tbody").contains(MARKUP));
      assertThat(page.evaluateValue("document.querySelectorAll('#runs img').length")).isEqualTo(0);

      page.screenshot(Path.of("target/screenshots/console-desktop.png"));
      page.resize(390, 844);
      assertThat(
              page.evaluateValue(
                  "document.documentElement.scrollWidth <= document.documentElement.clientWidth"))
          .as("a narrow window scrolls tables inside themselves, not the page")
          .isEqualTo(true);
      page.screenshot(Path.of("target/screenshots/console-narrow.png"));

      assertThat(page.dialogs()).as("no script from alert text opened a dialog").isEmpty();
      assertThat(page.errors()).as("console errors, exceptions, CSP violations").isEmpty();
    }
  }

  @Test
  void theCommandLineFollowsARunsProgressAndRunsAllUnderTheirGuards() throws Exception {
    var waited =
        AgentProcess.run(
            dir, "action", "run", "slow", "--wait", "--url", url(""), "--token", TOKEN);
    assertThat(waited.exitCode()).as(waited.output()).isZero();
    assertThat(waited.output())
        .as("not a terminal: plain progress lines, then the record")
        .contains("progress: output_bytes ")
        .contains(": success");

    var all =
        AgentProcess.run(
            dir, "action", "run", "--all", "--dry-run", "--url", url(""), "--token", TOKEN);
    assertThat(all.exitCode()).as(all.output()).isZero();
    assertThat(all.output()).contains("report").contains("slow").contains("2 success");
    var typed =
        AgentProcess.run(
            dir,
            "action",
            "run",
            "--all",
            "--type",
            "command",
            "--dry-run",
            "--url",
            url(""),
            "--token",
            TOKEN);
    assertThat(typed.output()).contains("slow").doesNotContain("report").contains("1 success");
    var both =
        AgentProcess.run(dir, "action", "run", "slow", "--all", "--url", url(""), "--token", TOKEN);
    assertThat(both.exitCode()).as(both.output()).isEqualTo(2);
  }

  @Test
  void reportsComeAsJsonThatMatchesTheHistoryCsvAndAnHtmlFileChromiumOpens() throws Exception {
    assertThat(post("/api/v1/actions/report/run?wait=true&force=true", "").statusCode())
        .isEqualTo(200);
    var json =
        AgentProcess.run(dir, "report", "--period", "daily", "--format", "json", "--url", url(""));
    assertThat(json.exitCode()).as(json.output()).isZero();
    JsonNode report = new ObjectMapper().readTree(json.output());
    long runsOfReport = 0;
    for (JsonNode r : runs("report")) {
      runsOfReport += r.path("details").path("count").asLong(1);
    }
    JsonNode reportStats = null;
    for (JsonNode a : report.get("actions")) {
      if (a.get("action").asText().equals("report")) {
        reportStats = a;
      }
    }
    assertThat(reportStats).isNotNull();
    assertThat(reportStats.get("runs").asLong()).isEqualTo(runsOfReport);
    assertThat(report.get("health").get("samples").asLong()).isPositive();

    var csv = AgentProcess.run(dir, "report", "--format", "csv", "--url", url(""));
    assertThat(csv.output()).startsWith("section,name,field,value\r\n");
    var bad = AgentProcess.run(dir, "report", "--period", "monthly", "--url", url(""));
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.output()).contains("daily, weekly");

    var html = AgentProcess.run(dir, "report", "--format", "html", "--url", url(""));
    Path file = Files.writeString(dir.resolve("report.html"), html.output());
    try (Chromium page = Chromium.start(dir.resolve("report-browser"))) {
      page.open(file.toUri().toString(), "document.title.startsWith('caretaker report')");
      assertThat(page.evaluateValue("document.querySelectorAll('svg polyline').length"))
          .isEqualTo(1);
      assertThat(page.errors()).isEmpty();
    }
  }

  @Test
  void behindAReverseProxysPathPrefixThePageStreamsAndRuns() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      io.vertx.core.http.HttpClient client = vertx.createHttpClient();
      HttpServer proxy =
          vertx
              .createHttpServer()
              .requestHandler(req -> forward(req, client))
              .listen(0, "127.0.0.1")
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      String prefixed = "http://127.0.0.1:" + proxy.actualPort() + "/caretaker/";
      try (Chromium page = Chromium.start(dir.resolve("proxy-browser"))) {
        page.open(prefixed, "document.body.dataset.loaded === 'yes'");
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> "yes".equals(page.evaluateValue("document.body.dataset.live")));
        page.evaluate("sessionStorage.setItem('caretaker-token', '" + TOKEN + "'); true");
        int before = runs("report").size();
        page.evaluate("renderToken(); true");
        page.click("[aria-label=\"Dry run report\"]");
        await().atMost(Duration.ofSeconds(20)).until(() -> runs("report").size() > before);
        assertThat(page.errors()).isEmpty();
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** A path-prefix proxy: /caretaker/X to the agent's /X, bodies streamed both ways. */
  private static void forward(HttpServerRequest req, io.vertx.core.http.HttpClient client) {
    if (!req.uri().startsWith("/caretaker/")) {
      req.response().setStatusCode(404).end();
      return;
    }
    req.pause();
    client
        .request(req.method(), port, "127.0.0.1", req.uri().substring("/caretaker".length()))
        .compose(
            out -> {
              out.headers().setAll(req.headers());
              return out.send(req)
                  .compose(
                      in -> {
                        req.response().setStatusCode(in.statusCode());
                        req.response().headers().setAll(in.headers());
                        return in.pipeTo(req.response());
                      });
            })
        .onFailure(
            e -> {
              if (!req.response().ended() && !req.response().headWritten()) {
                req.response().setStatusCode(502).end();
              }
            });
  }

  @Test
  void theEventStreamCapsItsSubscribers() throws Exception {
    List<InputStream> open = new ArrayList<>();
    try {
      for (int i = 0; i < 32; i++) {
        HttpResponse<InputStream> r =
            HTTP.send(
                HttpRequest.newBuilder(URI.create(url("/api/v1/events"))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        open.add(r.body());
        if (r.statusCode() == 503) {
          break; // the browser test's own stream may hold a place
        }
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type"))
            .hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
      }
      HttpResponse<String> over =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(url("/api/v1/events"))).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(over.statusCode()).isEqualTo(503);
      assertThat(over.headers().firstValue("retry-after")).hasValue("5");
      assertThat(over.body()).contains("at most 32 event streams");
    } finally {
      for (InputStream in : open) {
        in.close();
      }
    }
    // the places come back when readers leave
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                HTTP.send(
                            HttpRequest.newBuilder(URI.create(url("/api/v1/events"))).build(),
                            HttpResponse.BodyHandlers.ofInputStream())
                        .statusCode()
                    == 200);
  }

  @Test
  void thePageAndItsAssetsCarryAPolicyThatAllowsOnlyThisOrigin() throws Exception {
    for (String path : List.of("/", "/ui/app.js", "/ui/app.css")) {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(url(path))).build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("content-security-policy"))
          .hasValueSatisfying(
              csp ->
                  assertThat(csp)
                      .contains("script-src 'self'")
                      .doesNotContain("unsafe-inline")
                      .doesNotContain("http"));
      assertThat(r.body()).doesNotContain("http://").doesNotContain("https://");
    }
    assertThat(
            HTTP.send(
                    HttpRequest.newBuilder(URI.create(url("/ui/..%2Fopenapi.yaml"))).build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .as("assets by exact name only")
        .isEqualTo(404);
    assertThat(
            HTTP.send(
                    HttpRequest.newBuilder(URI.create(url("/ui/secret.txt"))).build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .isEqualTo(404);
    Map<String, Long> sizes =
        Map.of(
            "index.html", (long) get("/").length(),
            "app.js", (long) get("/ui/app.js").length(),
            "app.css", (long) get("/ui/app.css").length());
    assertThat(sizes.values().stream().mapToLong(Long::longValue).sum())
        .as("the page's assets, all of them")
        .isLessThan(100_000);
  }
}
