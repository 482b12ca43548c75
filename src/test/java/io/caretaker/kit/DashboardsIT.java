package io.caretaker.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caretaker.testing.AgentProcess;
import io.caretaker.testing.ExternalServer;
import io.caretaker.testing.PostgresServer;
import io.caretaker.testing.RedisServer;
import java.net.URI;
import java.net.URLEncoder;
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
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dashboards/: every panel query, with the template variables filled in, runs through a real
 * Prometheus scraping a real agent (with Redis and trading data flowing) and returns data; every
 * metric a dashboard names is one the agent exports; every panel has a unit and a description.
 */
class DashboardsIT {
  private static final List<String> DASHBOARDS = List.of("host", "trading", "caretaker");
  private static final Pattern METRIC =
      Pattern.compile("\\b((?:host|trading|caretaker|redis|jvm|process)_[a-z0-9_]+)\\s*\\{");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  @Test
  void everyPanelQueryReturnsDataFromARealPrometheus() throws Exception {
    try (RedisServer redis = new RedisServer(dir.resolve("redis"));
        PostgresServer postgres = new PostgresServer(dir.resolve("pg"))) {
      redis.seedTrading();
      postgres.seedOrders("postgres");
      Path sources = Files.createDirectories(dir.resolve("config"));
      Files.writeString(sources.resolve("a.yml"), "x: 1\n");
      Path config =
          Files.writeString(
              dir.resolve("caretaker.yml"),
              """
          agent: { data_dir: %s, instance: dash }
          server: { port: 0, tokens: [dash] }
          collect: { interval: 1s, node_compat: true }
          redis: { uri: "%s" }
          postgres: { databases: [ { name: main, uri: "%7$s" } ] }
          tls: { certificates: [ { keystore: "%8$s", type: JKS, password: changeit, name: jdk } ] }
          trading:
            hashes: [ { key: "trading:pnl", metric: trading_pnl_usd, label: period } ]
            heartbeats: { pattern: "heartbeat:*", label: component }
            market_data: { pattern: "md:last:*", label: symbol }
            sizes: [ { key: "positions:open", metric: trading_open_positions } ]
            processes: [ { component: redis, match: "redis-server" } ]
          rules:
            - { name: cpu-high, metric: host_cpu_utilization_ratio, warning: 0.7, critical: 0.8, for: 5m }
          actions:
            backup: { type: backup, sources: [%s], dir: %s }
            cache-cleanup: { type: redis-cleanup, patterns: ["cache:*"] }
            gc: { type: jvm-gc }
            log-cleanup: { type: file-retention, roots: [%s], delete_after: 7d }
            app-logs: { type: log-rotation, roots: [%6$s] }
          schedules:
            - { id: nightly, action: backup, cron: "0 3 * * *" }
          """
                  .formatted(
                      dir.resolve("data"),
                      redis.uri(),
                      sources,
                      dir.resolve("backups"),
                      Files.createDirectories(dir.resolve("logs")),
                      Files.createDirectories(dir.resolve("live-logs")),
                      postgres.uri("postgres"),
                      Path.of(System.getProperty("java.home"), "lib/security/cacerts")));
      Files.writeString(dir.resolve("live-logs/app.log"), "started\n");
      Path bareDir = Files.createDirectories(dir.resolve("bare"));
      try (AgentProcess agent = AgentProcess.start(dir, "serve", "--config", config.toString());
          AgentProcess bare = AgentProcess.start(bareDir, Map.of("CARETAKER_PORT", "0"), "serve")) {
        String url = "http://127.0.0.1:" + agent.awaitPort();
        post(
            url + "/api/v1/trading/events",
            """
            {"type":"order","status":"filled","side":"buy","venue":"XNAS","latency_ms":1.5}
            {"type":"order","status":"rejected","side":"sell","venue":"XNAS","latency_ms":3,"reason":"risk"}
            {"type":"order","status":"sideways","side":"buy","venue":"XNAS"}
            """);
        post(url + "/api/v1/actions/backup/run?wait=true", "");
        Files.writeString(dir.resolve("live-logs/app.log"), "started\n");
        post(url + "/api/v1/actions/app-logs/run?wait=true", "");
        Files.writeString(dir.resolve("live-logs/app.log"), "again\n");
        post(
            url + "/api/v1/alertmanager",
            Files.readString(
                Path.of("src/test/resources/fixtures/alertmanager/firing-grouped.json")));
        int promPort = ExternalServer.freePort();
        Path promDir = dir.resolve("prometheus");
        Files.createDirectories(promDir);
        Files.writeString(
            promDir.resolve("prometheus.yml"),
            """
            global: { scrape_interval: 1s, evaluation_interval: 1s }
            scrape_configs:
              - job_name: caretaker
                static_configs: [ { targets: ["127.0.0.1:%d"] } ]
              - job_name: bare
                static_configs: [ { targets: ["127.0.0.1:%d"] } ]
            """
                .formatted(agent.awaitPort(), bare.awaitPort()));
        try (ExternalServer prom = ExternalServer.prometheus(promDir, promPort)) {
          // rate() needs two samples in its window; orders keep flowing meanwhile
          await()
              .atMost(Duration.ofSeconds(60))
              .until(
                  () -> {
                    post(
                        url + "/api/v1/trading/events",
                        "{\"type\":\"order\",\"status\":\"filled\",\"side\":\"buy\",\"venue\":\"XNAS\",\"latency_ms\":2}");
                    return !result(prom, "count_over_time(caretaker_build_info[1m]) >= 6")
                        .isEmpty();
                  });
          checkDashboards(prom, "127.0.0.1:" + agent.awaitPort(), metricNames(url));
          checkPeerQueries(prom, "127.0.0.1:" + agent.awaitPort());
          checkNoDataTexts(prom, "127.0.0.1:" + bare.awaitPort());
        }
      }
    }
  }

  /**
   * An agent with the embedded default config (no Redis, no trading, no run yet): every panel that
   * is empty there says why in words (its noValue), instead of Grafana's bare "No data".
   */
  private void checkNoDataTexts(ExternalServer prom, String instance) throws Exception {
    List<String> problems = new ArrayList<>();
    for (String name : DASHBOARDS) {
      JsonNode dashboard = JSON.readTree(Path.of("dashboards", name + ".json").toFile());
      for (JsonNode panel : dashboard.path("panels")) {
        boolean empty = true;
        for (JsonNode target : panel.path("targets")) {
          String query =
              target
                  .path("expr")
                  .asText()
                  .replace("$job", "bare")
                  .replace("$instance", instance)
                  .replace("$__rate_interval", "30s");
          empty &= result(prom, query).isEmpty();
        }
        if (empty
            && panel.path("fieldConfig").path("defaults").path("noValue").asText().isEmpty()) {
          problems.add(
              name + ".json \"" + panel.path("title").asText() + "\": empty, no noValue text");
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  private void checkDashboards(ExternalServer prom, String instance, Set<String> exported)
      throws Exception {
    List<String> problems = new ArrayList<>();
    for (String name : DASHBOARDS) {
      JsonNode dashboard = JSON.readTree(Path.of("dashboards", name + ".json").toFile());
      assertThat(dashboard.path("templating").toString())
          .contains("\"datasource\"", "\"job\"", "\"instance\"");
      for (JsonNode panel : dashboard.path("panels")) {
        String where = name + ".json \"" + panel.path("title").asText() + "\"";
        if (panel.path("description").asText().isEmpty()) {
          problems.add(where + ": no description");
        }
        if (panel.path("fieldConfig").path("defaults").path("unit").asText().isEmpty()) {
          problems.add(where + ": no unit");
        }
        for (JsonNode target : panel.path("targets")) {
          String expr = target.path("expr").asText();
          Matcher m = METRIC.matcher(expr);
          while (m.find()) {
            if (!exported.contains(m.group(1))) {
              problems.add(where + ": names " + m.group(1) + ", which the agent does not export");
            }
          }
          String query =
              expr.replace("$job", "caretaker")
                  .replace("$instance", instance)
                  .replace("$__rate_interval", "30s");
          JsonNode answer =
              JSON.readTree(
                  prom.get(
                      "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)));
          if (!"success".equals(answer.path("status").asText())) {
            problems.add(where + ": " + answer.path("error").asText() + " in " + query);
          } else if (answer.path("data").path("result").isEmpty()) {
            problems.add(where + ": no data for " + query);
          }
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  /**
   * src/test/resources/peer-queries.txt: what Grafana 763, the redis-mixin and the first rows of
   * Grafana 1860 query, unchanged; each must answer with data.
   */
  private void checkPeerQueries(ExternalServer prom, String instance) throws Exception {
    List<String> problems = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("src/test/resources/peer-queries.txt"))) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int bar = line.indexOf(" | ");
      String query = line.substring(bar + 3).replace("$i", instance);
      if (result(prom, query).isEmpty()) {
        problems.add(line.substring(0, bar) + ": no data for " + query);
      }
    }
    assertThat(problems).isEmpty();
  }

  private static List<JsonNode> result(ExternalServer prom, String query) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    JSON.readTree(
            prom.get("/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)))
        .path("data")
        .path("result")
        .forEach(out::add);
    return out;
  }

  /** Sample names in the agent's exposition (histograms as _bucket, _sum, _count). */
  private static Set<String> metricNames(String url) throws Exception {
    String body =
        HTTP.send(
                HttpRequest.newBuilder(URI.create(url + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Set<String> names = new TreeSet<>();
    body.lines()
        .filter(l -> !l.startsWith("#") && !l.isBlank())
        .forEach(l -> names.add(l.split("[{ ]", 2)[0]));
    return names;
  }

  private static void post(String url, String body) throws Exception {
    HTTP.send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Authorization", "Bearer dash")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.discarding());
  }
}
