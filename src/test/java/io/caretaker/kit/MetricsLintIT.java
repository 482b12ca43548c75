package io.caretaker.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caretaker.testing.AgentProcess;
import io.caretaker.testing.PostgresServer;
import io.caretaker.testing.RedisServer;
import io.caretaker.testing.Tools;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * promtool's linter on the fullest /metrics the agent can give: Redis, every trading source, order
 * events, the webhook, and every action type run once. It prints nothing (the host-only output:
 * HttpVerticleTest).
 */
class MetricsLintIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String TOKEN = "lint";

  @TempDir Path dir;

  private static HttpResponse<String> send(String url, String method, String body)
      throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Authorization", "Bearer " + TOKEN)
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void promtoolFindsNothingInTheOutputOfAnAgentThatDidEverything() throws Exception {
    Path promtool = Tools.require("promtool", "prometheus");
    try (RedisServer redis = new RedisServer(dir.resolve("redis"));
        PostgresServer postgres = new PostgresServer(dir.resolve("pg"))) {
      redis.seedTrading();
      postgres.seedOrders("postgres");
      Path logs = Files.createDirectories(dir.resolve("logs"));
      Files.writeString(logs.resolve("app.log"), "line\n");
      Path config =
          Files.writeString(
              dir.resolve("caretaker.yml"),
              """
          agent: { data_dir: %1$s/data }
          server: { port: 0, tokens: [%2$s] }
          collect: { interval: 1s }
          redis: { uri: "%3$s" }
          postgres: { databases: [ { name: main, uri: "%5$s" } ] }
          tls: { certificates: [ { keystore: "%6$s", type: JKS, password: changeit, name: jdk } ] }
          trading:
            hashes: [ { key: "trading:pnl", metric: trading_pnl_usd, label: period } ]
            heartbeats: { pattern: "heartbeat:*", label: component }
            market_data: { pattern: "md:last:*", label: symbol }
            sizes: [ { key: "positions:open", metric: trading_open_positions } ]
            events: { stream: "orders:events" }
            processes: [ { component: redis, match: "redis-server" } ]
          rules:
            - { name: cpu-high, metric: host_cpu_utilization_ratio, warning: 0.7, critical: 0.8 }
          actions:
            gc: { type: jvm-gc, cooldown: 0s }
            cache-cleanup: { type: redis-cleanup, patterns: ["cache:*"], cooldown: 0s }
            log-cleanup: { type: file-retention, roots: [%4$s], delete_after: 7d, cooldown: 0s }
            report: { type: health-report, dir: %1$s/reports, cooldown: 0s }
            daily: { type: report, dir: %1$s/reports, cooldown: 0s, tags: [reports] }
            backup: { type: backup, sources: [%4$s], dir: %1$s/backups, redis_snapshot: true,
                      cooldown: 0s }
            hello: { type: command, argv: ["/bin/true"], cooldown: 0s }
            rotate: { type: log-rotation, roots: [%4$s], max_size: 1GiB }
            db: { type: postgres-maintenance, database: main, cooldown: 0s }
            audit: { type: security-audit, roots: [%4$s], cooldown: 0s }
          schedules:
            - { id: nightly, action: backup, cron: "0 3 * * *" }
          alertmanager:
            routes: [ { matchers: ['remediate=~".+"'], action_from_label: remediate } ]
          """
                  .formatted(
                      dir,
                      TOKEN,
                      redis.uri(),
                      logs,
                      postgres.uri("postgres"),
                      Path.of(System.getProperty("java.home"), "lib/security/cacerts")));
      try (AgentProcess agent = AgentProcess.start(dir, "serve", "--config", config.toString())) {
        String url = "http://127.0.0.1:" + agent.awaitPort();
        send(
            url + "/api/v1/trading/events",
            "POST",
            """
            {"type":"order","status":"filled","side":"buy","venue":"XNAS","latency_ms":1.5}
            {"type":"order","status":"sideways","side":"buy","venue":"XNAS"}
            """);
        for (String action :
            List.of(
                "gc",
                "cache-cleanup",
                "log-cleanup",
                "report",
                "backup",
                "rotate",
                "db",
                "audit")) {
          HttpResponse<String> run =
              send(url + "/api/v1/actions/" + action + "/run?wait=true", "POST", "");
          assertThat(run.body()).as(action).contains("\"outcome\":\"success\"");
        }
        send(url + "/api/v1/actions/hello/run?wait=true&dry_run=true", "POST", "");
        Files.writeString(logs.resolve("app.log"), "after the rotation\n");
        send(
            url + "/api/v1/alertmanager",
            "POST",
            Files.readString(
                Path.of("src/test/resources/fixtures/alertmanager/firing-grouped.json")));
        await()
            .untilAsserted(
                () ->
                    assertThat(send(url + "/metrics", "GET", "").body())
                        .contains(
                            "trading_orders_total",
                            "trading_heartbeat_age_seconds",
                            "caretaker_log_file_bytes{"));

        String metrics = send(url + "/metrics", "GET", "").body();
        assertThat(metrics)
            .contains(
                "caretaker_redis_up 1",
                "caretaker_backup_size_bytes",
                "caretaker_redis_keys_deleted_total",
                "caretaker_alerts_received_total",
                "caretaker_log_file_bytes",
                "caretaker_log_rotations_total",
                "caretaker_postgres_up{db=\"main\"} 1",
                "postgres_table_dead_ratio",
                "caretaker_postgres_tables_vacuumed_total",
                "caretaker_security_findings",
                "caretaker_tls_cert_not_after_timestamp_seconds");
        Tools.Result lint = Tools.run(List.of(promtool.toString(), "check", "metrics"), metrics);
        assertThat(lint.output()).as("promtool check metrics").isEmpty();
        assertThat(lint.exitCode()).isZero();
      }
    }
  }
}
