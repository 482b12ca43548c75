package io.caretaker.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caretaker.config.Config;
import io.caretaker.config.ConfigLoader;
import io.caretaker.metrics.Series;
import io.caretaker.postgres.PostgresConnection;
import io.caretaker.testing.PostgresServer;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PostgreSQL collector against a real server the test starts: its values are pg_stat_*'s. */
class PostgresCollectorIT {
  @TempDir static Path dir;
  private static PostgresServer server;

  @BeforeAll
  static void start() throws Exception {
    server = new PostgresServer(dir.resolve("pg"));
    server.sql("postgres", "CREATE DATABASE trades");
    server.sql(
        "trades",
        "CREATE TABLE orders (id bigserial PRIMARY KEY, venue text, qty int)",
        "INSERT INTO orders (venue, qty) SELECT 'XNAS', g FROM generate_series(1, 10000) g",
        "DELETE FROM orders WHERE id % 2 = 0",
        "CREATE TABLE fills (id bigserial PRIMARY KEY, order_id bigint)",
        "SELECT pg_stat_force_next_flush()");
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private PostgresCollector collector(List<PostgresConnection> connections) {
    Config c =
        ConfigLoader.parse(
            "t.yml",
            """
            postgres:
              timeout: 2s
              table_interval: 0s
              databases: [ { name: trades, uri: "%s" } ]
            """
                .formatted(server.uri("trades")),
            Map.of());
    connections.addAll(
        c.postgres().orElseThrow().databases().stream()
            .map(d -> new PostgresConnection(d, c.postgres().get().timeout()))
            .toList());
    return new PostgresCollector(c.postgres().get(), connections, Clock.systemUTC());
  }

  /** The first sample of {@code name} whose labels include {@code labels} (pairs). */
  private static Optional<Double> value(MetricSnapshots m, String name, String... labels) {
    return Series.index(m, Set.of(name)).getOrDefault(name, List.of()).stream()
        .filter(
            s -> {
              for (int i = 0; i < labels.length; i += 2) {
                if (!labels[i + 1].equals(s.labels().get(labels[i]))) {
                  return false;
                }
              }
              return true;
            })
        .map(Series::value)
        .findFirst();
  }

  private static long query(String sql) throws Exception {
    try (Connection c = server.connect("trades");
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  @Test
  void databaseAndTableValuesAreTheServersOwn() throws Exception {
    List<PostgresConnection> connections = new ArrayList<>();
    PostgresCollector collector = collector(connections);
    await()
        .untilAsserted(
            () ->
                assertThat(
                        query(
                            "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'orders'"))
                    .isEqualTo(5000));
    MetricSnapshots m = new MetricSnapshots(collector.collect());
    assertThat(value(m, "caretaker_postgres_up", "db", "trades")).hasValue(1.0);
    assertThat(value(m, "postgres_table_dead_tuples", "db", "trades", "table", "public.orders"))
        .hasValue(5000.0);
    assertThat(value(m, "postgres_table_live_tuples", "db", "trades", "table", "public.orders"))
        .hasValue(5000.0);
    assertThat(value(m, "postgres_table_dead_ratio", "table", "public.orders")).hasValue(0.5);
    assertThat(value(m, "postgres_table_size_bytes", "table", "public.orders"))
        .hasValue((double) query("SELECT pg_table_size('orders')"));
    assertThat(value(m, "postgres_table_last_vacuum_age_seconds", "table", "public.orders"))
        .as("never vacuumed: absent, not 0")
        .isEmpty();
    assertThat(value(m, "postgres_database_size_bytes", "db", "trades"))
        .hasValue((double) query("SELECT pg_database_size('trades')"));
    assertThat(value(m, "postgres_max_connections", "db", "trades")).hasValue(100.0);
    assertThat(value(m, "postgres_xid_age", "db", "trades"))
        .hasValue(
            (double) query("SELECT age(datfrozenxid) FROM pg_database WHERE datname = 'trades'"));
    assertThat(value(m, "postgres_server_info", "db", "trades")).hasValue(1.0);
    connections.forEach(PostgresConnection::close);
  }

  @Test
  void anOpenTransactionShowsItsAgeAndIdleInTransaction() throws Exception {
    List<PostgresConnection> connections = new ArrayList<>();
    PostgresCollector collector = collector(connections);
    try (Connection open = server.connect("trades")) {
      open.setAutoCommit(false);
      open.createStatement().execute("SELECT txid_current()"); // the transaction holds an xid
      await()
          .untilAsserted(
              () -> {
                MetricSnapshots m = new MetricSnapshots(collector.collect());
                assertThat(value(m, "postgres_oldest_transaction_age_seconds", "db", "trades"))
                    .hasValueSatisfying(v -> assertThat(v).isGreaterThan(0.5));
                assertThat(
                        value(m, "postgres_oldest_idle_in_transaction_age_seconds", "db", "trades"))
                    .hasValueSatisfying(v -> assertThat(v).isGreaterThan(0.5));
                assertThat(
                        value(
                            m,
                            "postgres_connections",
                            "db",
                            "trades",
                            "state",
                            "idle in transaction"))
                    .hasValue(1.0);
              });
    }
    connections.forEach(PostgresConnection::close);
  }

  @Test
  void aStoppedServerIsUpZeroAndItsSeriesAbsentThenBack() throws Exception {
    List<PostgresConnection> connections = new ArrayList<>();
    PostgresCollector collector = collector(connections);
    assertThat(
            value(
                new MetricSnapshots(collector.collect()), "caretaker_postgres_up", "db", "trades"))
        .hasValue(1.0);
    server.stop();
    try {
      MetricSnapshots down = new MetricSnapshots(collector.collect());
      assertThat(value(down, "caretaker_postgres_up", "db", "trades")).hasValue(0.0);
      assertThat(value(down, "postgres_database_size_bytes", "db", "trades")).isEmpty();
    } finally {
      server.start();
    }
    assertThat(
            value(
                new MetricSnapshots(collector.collect()), "caretaker_postgres_up", "db", "trades"))
        .as("the next collection after the server is back")
        .hasValue(1.0);
    connections.forEach(PostgresConnection::close);
  }
}
