package io.caretaker.actions.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.caretaker.actions.ActionContext;
import io.caretaker.actions.ActionFailure;
import io.caretaker.actions.ActionSkipped;
import io.caretaker.actions.SkipReason;
import io.caretaker.actions.Trigger;
import io.caretaker.config.ActionSpec;
import io.caretaker.config.Config;
import io.caretaker.config.ConfigLoader;
import io.caretaker.testing.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * postgres-maintenance against a real server: it vacuums exactly the tables its thresholds pick,
 * deletes exactly the old rows in batches, and stands aside for a busy database, a held lock or
 * another agent.
 */
class PostgresMaintenanceIT {
  @TempDir static Path dir;
  private static PostgresServer server;
  private static final AtomicInteger DATABASES = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    server = new PostgresServer(dir.resolve("pg"));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  /** A fresh database: orders half dead, fills barely, trade_log with 3,000 old rows. */
  private static String database() throws Exception {
    String db = "trades" + DATABASES.incrementAndGet();
    server.sql("postgres", "CREATE DATABASE " + db);
    server.sql(
        db,
        "CREATE TABLE orders (id bigserial PRIMARY KEY, qty int)",
        "INSERT INTO orders (qty) SELECT g FROM generate_series(1, 10000) g",
        "DELETE FROM orders WHERE id % 2 = 0",
        "CREATE TABLE fills (id bigserial PRIMARY KEY, qty int)",
        "INSERT INTO fills (qty) SELECT g FROM generate_series(1, 10000) g",
        "DELETE FROM fills WHERE id <= 10",
        "CREATE TABLE trade_log (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL)",
        "INSERT INTO trade_log (created_at) SELECT now() - interval '400 days'"
            + " FROM generate_series(1, 3000)",
        "INSERT INTO trade_log (created_at) SELECT now() FROM generate_series(1, 1000)",
        "SELECT pg_stat_force_next_flush()");
    await()
        .until(
            () ->
                query(db, "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'orders'")
                    == 5000);
    return db;
  }

  private static PostgresMaintenanceAction action(String db, String settings) {
    Config c =
        ConfigLoader.parse(
            "t.yml",
            """
            postgres: { databases: [ { name: %1$s, uri: "%2$s" } ] }
            actions:
              maintain: { type: postgres-maintenance, database: %1$s, %3$s }
            """
                .formatted(db, server.uri(db), settings),
            Map.of());
    return new PostgresMaintenanceAction(
        (ActionSpec.PostgresMaintenance) c.actions().get("maintain").spec(),
        c.postgres().orElseThrow().databases().get(0),
        c.postgres().get().timeout());
  }

  private static final String RETENTION =
      "retention: [ { table: trade_log, column: created_at, older_than: 365d, batch: 500 } ]";

  private static Map<String, Object> run(PostgresMaintenanceAction a, boolean dryRun)
      throws Exception {
    return a.run(new ActionContext("maintain", dryRun, Trigger.manual("t")));
  }

  private static long query(String db, String sql) throws Exception {
    try (Connection c = server.connect(db);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  @Test
  void aDryRunPlansTableByTableAndChangesNothing() throws Exception {
    String db = database();
    Map<String, Object> plan = run(action(db, RETENTION), true);
    assertThat(plan.get("would_vacuum").toString())
        .contains("public.orders", "dead ratio 0.500")
        .doesNotContain("fills")
        .doesNotContain("trade_log");
    assertThat(plan.get("would_delete").toString()).contains("rows=3000");
    assertThat(query(db, "SELECT count(*) FROM trade_log")).isEqualTo(4000);
    assertThat(query(db, "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'orders'"))
        .isEqualTo(5000);
  }

  @Test
  void vacuumsWhatTheThresholdsPickAndDeletesExactlyTheOldRowsInBatches() throws Exception {
    String db = database();
    Map<String, Object> done = run(action(db, RETENTION), false);
    assertThat(done)
        .containsEntry("tables_vacuumed", 1L)
        .containsEntry("rows_deleted", 3000L)
        .containsEntry("dead_tuples_before", 5000L)
        .containsEntry("dead_tuples_after", 0L);
    assertThat(done.get("vacuumed").toString()).contains("public.orders");
    assertThat(query(db, "SELECT count(*) FROM trade_log")).isEqualTo(1000);
    assertThat(
            query(
                db,
                "SELECT count(*) FROM trade_log WHERE created_at < now() - interval '365 days'"))
        .isZero();
    assertThat(query(db, "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'fills'"))
        .as("under both thresholds: left to autovacuum")
        .isEqualTo(10);
  }

  @Test
  void aLongOpenTransactionMakesTheRunSkipAsBusy() throws Exception {
    String db = database();
    try (Connection open = server.connect(db)) {
      open.setAutoCommit(false);
      open.createStatement().execute("SELECT txid_current()");
      await()
          .until(
              () ->
                  query(
                          db,
                          "SELECT count(*) FROM pg_stat_activity"
                              + " WHERE now() - xact_start > interval '1.5 seconds'")
                      > 0);
      assertThatThrownBy(() -> run(action(db, "busy_transaction: 1s"), false))
          .isInstanceOfSatisfying(
              ActionSkipped.class, e -> assertThat(e.reason()).isEqualTo(SkipReason.BUSY));
    }
    assertThat(query(db, "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'orders'"))
        .isEqualTo(5000);
  }

  @Test
  void aLockHeldByAnotherSessionTimesOutAndTheRunFailsCleanly() throws Exception {
    String db = database();
    try (Connection holder = server.connect(db)) {
      holder.setAutoCommit(false);
      holder.createStatement().execute("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE");
      assertThatThrownBy(() -> run(action(db, "lock_timeout: 300ms"), false))
          .isInstanceOf(ActionFailure.class)
          .hasMessageContaining("lock_timeout (300 ms)");
      holder.rollback();
    }
    assertThat(
            query(db, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'caretaker'"))
        .as("the run's session is gone")
        .isZero();
  }

  @Test
  void anotherAgentMaintainingTheDatabaseMakesTheRunSkipAsLocked() throws Exception {
    String db = database();
    try (Connection other = server.connect(db)) {
      other
          .createStatement()
          .execute("SELECT pg_advisory_lock(" + PostgresMaintenanceAction.LOCK_KEY + ")");
      assertThatThrownBy(() -> run(action(db, ""), false))
          .isInstanceOfSatisfying(
              ActionSkipped.class, e -> assertThat(e.reason()).isEqualTo(SkipReason.LOCKED));
    }
  }

  /** The server going away mid-retention fails the run; the batches done stay done. */
  @Test
  void theDatabaseStoppedMidRunFailsItCleanly() throws Exception {
    String db = database();
    server.sql(
        db,
        "INSERT INTO trade_log (created_at) SELECT now() - interval '400 days'"
            + " FROM generate_series(1, 300000)");
    CompletableFuture<Map<String, Object>> run =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return run(
                    action(
                        db,
                        "retention: [ { table: trade_log, column: created_at, older_than: 365d,"
                            + " batch: 100 } ]"),
                    false);
              } catch (Exception e) {
                throw new CompletionException(e);
              }
            });
    await().until(() -> query(db, "SELECT count(*) FROM trade_log") < 300_000);
    server.stop();
    try {
      // Cut mid-statement ("terminating connection") or between two ("I/O error"): a failure
      // either way, with the server's or the driver's words.
      assertThatThrownBy(run::join)
          .cause()
          .isInstanceOf(ActionFailure.class)
          .hasMessageMatching("(?s).*(terminat|I/O error|closed|connection).*");
    } finally {
      server.start();
    }
    long left = query(db, "SELECT count(*) FROM trade_log");
    assertThat(left).as("whole batches went, the rest stayed").isBetween(1000L, 304_000L);
    assertThat((304_000 - left) % 100).as("batches of 100, each committed or not").isZero();
  }

  /** A standby that stops replaying: retention waits for it, then stops and says why. */
  @Test
  void aLaggingReplicaPausesRetentionAndAWaitPastMaxPauseStopsIt() throws Exception {
    String db = database();
    try (PostgresServer standby = server.standby(dir.resolve("standby" + db))) {
      await().until(() -> query("postgres", "SELECT count(*) FROM pg_stat_replication") == 1);
      standby.sql("postgres", "SELECT pg_wal_replay_pause()");
      server.sql(db, "INSERT INTO fills (qty) SELECT g FROM generate_series(1, 20000) g");
      assertThatThrownBy(
              () ->
                  run(action(db, RETENTION + ", max_replication_lag: 64KiB, max_pause: 1s"), false))
          .isInstanceOfSatisfying(
              ActionFailure.class,
              e -> {
                assertThat(e.getMessage())
                    .contains("retention stopped: a replica is")
                    .contains("bytes of WAL behind, above max_replication_lag 65536");
                assertThat(e.details()).containsEntry("rows_deleted", 500L);
              });
      assertThat(query(db, "SELECT count(*) FROM trade_log")).isEqualTo(3500);
    }
  }

  @Test
  void indexesPastTheEstimatedBloatAreRebuiltAndTidyOnesLeft() throws Exception {
    String db = database();
    server.sql(
        db,
        "CREATE TABLE quotes (id int, px int)",
        "INSERT INTO quotes SELECT g, g FROM generate_series(1, 100000) g",
        "CREATE INDEX quotes_px ON quotes (px)",
        "DELETE FROM quotes WHERE id % 10 <> 0", // leaves every leaf page a tenth full
        "VACUUM ANALYZE quotes",
        "CREATE TABLE venues (id int, code int)",
        "INSERT INTO venues SELECT g, g FROM generate_series(1, 100000) g",
        "CREATE INDEX venues_code ON venues (code)",
        "ANALYZE venues");
    long before = query(db, "SELECT pg_relation_size('quotes_px')");
    Map<String, Object> plan = run(action(db, "reindex_bloat: 0.5"), true);
    assertThat(plan.get("would_reindex").toString())
        .contains("quotes_px", "estimated bloat 0.9")
        .doesNotContain("venues_code");
    Map<String, Object> done = run(action(db, "reindex_bloat: 0.5"), false);
    assertThat(done).containsEntry("indexes_rebuilt", 1L);
    assertThat(query(db, "SELECT pg_relation_size('quotes_px')"))
        .as("rebuilt: about a tenth of its size")
        .isLessThan(before / 4);
  }

  @Test
  void aNameThatIsNoTableIsAFailureNotAnInjection() throws Exception {
    String db = database();
    assertThatThrownBy(
            () ->
                run(
                    action(
                        db,
                        "retention: [ { table: \"trade_log; DROP TABLE orders\", column: created_at } ]"),
                    false))
        .isInstanceOf(ActionFailure.class)
        .hasMessageContaining("retention: trade_log; DROP TABLE orders.created_at: ");
    assertThat(query(db, "SELECT count(*) FROM orders")).isEqualTo(5000);
  }
}
