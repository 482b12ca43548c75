package io.caretaker.collect;

import io.caretaker.config.PostgresConfig;
import io.caretaker.metrics.Family;
import io.caretaker.postgres.PostgresConnection;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

// One file on purpose: the queries and the families their columns fill, side by side.
/**
 * PostgreSQL health, what postgres_exporter's default metrics give and the shipped alerts read: per
 * database, every cycle, in three cheap queries (pg_stat_database, pg_stat_activity with pg_locks,
 * pg_stat_replication); per table (pg_stat_user_tables: tuples, vacuum and analyze ages, sizes)
 * every {@code table_interval}, because sizing every table is not cheap on a big catalog, for the
 * configured tables or the {@code max_tables} largest. An unreachable database is {@code
 * caretaker_postgres_up 0} and one log line (PostgresConnection); its other series are absent.
 */
public final class PostgresCollector implements Collector {
  /** age(datfrozenxid) at which PostgreSQL stops accepting writes (2^31, less its margin). */
  static final double WRAPAROUND = 2_147_483_648.0;

  private static final String DATABASE =
      "SELECT current_setting('server_version'), current_setting('max_connections')::int,"
          + " d.xact_commit, d.xact_rollback, d.blks_hit, d.blks_read, d.deadlocks, d.temp_bytes,"
          + " age(db.datfrozenxid)"
          + " FROM pg_stat_database d JOIN pg_database db ON db.oid = d.datid"
          + " WHERE d.datname = current_database()";
  private static final String ACTIVITY =
      "SELECT coalesce(a.state, 'unknown'), count(*),"
          + " coalesce(max(extract(epoch FROM now() - a.xact_start)), 0),"
          + " coalesce(max(extract(epoch FROM now() - a.state_change))"
          + "   FILTER (WHERE a.state = 'idle in transaction'), 0),"
          + " (SELECT count(*) FROM pg_locks WHERE NOT granted)"
          + " FROM pg_stat_activity a"
          + " WHERE a.backend_type = 'client backend'" // the agent's own counts toward the limit
          + " GROUP BY 1";
  private static final String REPLICATION =
      "SELECT coalesce(application_name, client_addr::text, 'replica'),"
          + " coalesce(extract(epoch FROM replay_lag), 0) FROM pg_stat_replication";
  private static final String TABLES =
      "SELECT s.schemaname || '.' || s.relname, s.n_live_tup, s.n_dead_tup,"
          + " extract(epoch FROM now() - greatest(s.last_vacuum, s.last_autovacuum)),"
          + " extract(epoch FROM now() - greatest(s.last_analyze, s.last_autoanalyze)),"
          + " pg_table_size(s.relid), pg_indexes_size(s.relid)"
          + " FROM pg_stat_user_tables s"
          + " WHERE cardinality(?::text[]) = 0 OR s.relname = ANY(?::text[])"
          + "   OR s.schemaname || '.' || s.relname = ANY(?::text[])"
          + " ORDER BY pg_total_relation_size(s.relid) DESC LIMIT ?";

  private final List<PostgresConnection> databases;
  private final PostgresConfig config;
  private final Clock clock;
  private Instant tablesReadAt = Instant.MIN;
  private List<MetricSnapshot> tables = List.of();

  public PostgresCollector(PostgresConfig config, List<PostgresConnection> databases, Clock clock) {
    this.config = config;
    this.databases = databases;
    this.clock = clock;
  }

  @Override
  public String name() {
    return "postgres";
  }

  @Override
  public synchronized List<MetricSnapshot> collect() {
    Family up =
        Family.gauge(
            "caretaker_postgres_up", "1 when the last collection reached the database.", "db");
    Metrics m = new Metrics();
    boolean tablesDue = !clock.instant().isBefore(tablesReadAt.plus(config.tableInterval()));
    Tables t = new Tables();
    for (PostgresConnection pg : databases) {
      String db = pg.database().name();
      try {
        Connection c = pg.get();
        readDatabase(c, db, m);
        if (tablesDue) {
          readTables(c, pg.database(), t);
        }
        pg.report(null);
        up.add(1, db);
      } catch (SQLException e) {
        pg.report(e);
        up.add(0, db);
      }
    }
    if (tablesDue) {
      tablesReadAt = clock.instant();
      tables = t.snapshots();
    }
    List<MetricSnapshot> out = new ArrayList<>(List.of(up.toSnapshot()));
    out.addAll(m.snapshots());
    out.addAll(tables);
    return out;
  }

  // Long on purpose: one query's columns, each to its metric, in the query's order.
  private static void readDatabase(Connection c, String db, Metrics m) throws SQLException {
    try (Statement s = c.createStatement()) {
      try (ResultSet r = s.executeQuery(DATABASE)) {
        if (r.next()) {
          m.info.add(1, db, r.getString(1));
          m.maxConnections.add(r.getInt(2), db);
          m.commits.add(r.getLong(3), db);
          m.rollbacks.add(r.getLong(4), db);
          m.blocksHit.add(r.getLong(5), db);
          m.blocksRead.add(r.getLong(6), db);
          m.deadlocks.add(r.getLong(7), db);
          m.tempBytes.add(r.getLong(8), db);
          m.xidAge.add(r.getLong(9), db);
          m.wraparound.add(r.getLong(9) / WRAPAROUND, db);
        }
      }
      double oldest = 0;
      double idleInTransaction = 0;
      long waiting = 0;
      try (ResultSet r = s.executeQuery(ACTIVITY)) {
        while (r.next()) {
          m.connections.add(r.getLong(2), db, r.getString(1));
          oldest = Math.max(oldest, r.getDouble(3));
          idleInTransaction = Math.max(idleInTransaction, r.getDouble(4));
          waiting = r.getLong(5);
        }
      }
      m.oldestTransaction.add(oldest, db);
      m.oldestIdleInTransaction.add(idleInTransaction, db);
      m.locksWaiting.add(waiting, db);
      try (ResultSet r = s.executeQuery(REPLICATION)) {
        while (r.next()) {
          m.replicationLag.add(r.getDouble(2), db, r.getString(1));
        }
      }
    }
  }

  private static void readTables(Connection c, PostgresConfig.Database db, Tables t)
      throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT pg_database_size(current_database())")) {
      r.next();
      t.databaseSize.add(r.getLong(1), db.name());
    }
    if (t.max == 0 && db.tables().isEmpty()) {
      return;
    }
    try (PreparedStatement s = c.prepareStatement(TABLES)) {
      Array names = c.createArrayOf("text", db.tables().toArray());
      s.setArray(1, names);
      s.setArray(2, names);
      s.setArray(3, names);
      s.setInt(4, db.tables().isEmpty() ? t.max : Math.max(t.max, db.tables().size()));
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          String table = r.getString(1);
          long live = r.getLong(2);
          long dead = r.getLong(3);
          t.live.add(live, db.name(), table);
          t.dead.add(dead, db.name(), table);
          t.deadRatio.add(live + dead == 0 ? 0 : (double) dead / (live + dead), db.name(), table);
          double vacuumAge = r.getDouble(4);
          if (!r.wasNull()) {
            t.vacuumAge.add(vacuumAge, db.name(), table);
          }
          double analyzeAge = r.getDouble(5);
          if (!r.wasNull()) {
            t.analyzeAge.add(analyzeAge, db.name(), table);
          }
          t.size.add(r.getLong(6), db.name(), table);
          t.indexes.add(r.getLong(7), db.name(), table);
        }
      }
    }
  }

  /** The per-database families of one collection. */
  private static final class Metrics {
    final Family info =
        Family.gauge("postgres_server_info", "The server's version; always 1.", "db", "version");
    final Family maxConnections =
        Family.gauge("postgres_max_connections", "max_connections of the server.", "db");
    final Family connections =
        Family.gauge(
            "postgres_connections", "Client connections to the server, by state.", "db", "state");
    final Family commits =
        Family.counter(
            "postgres_transactions_committed_total",
            "Transactions committed in the database.",
            "db");
    final Family rollbacks =
        Family.counter(
            "postgres_transactions_rolled_back_total",
            "Transactions rolled back in the database.",
            "db");
    final Family blocksHit =
        Family.counter(
            "postgres_blocks_hit_total", "Block reads served from shared buffers.", "db");
    final Family blocksRead =
        Family.counter(
            "postgres_blocks_read_total", "Blocks read from disk (or the OS cache).", "db");
    final Family deadlocks =
        Family.counter("postgres_deadlocks_total", "Deadlocks detected in the database.", "db");
    final Family tempBytes =
        Family.counter(
            "postgres_temp_bytes_total", "Bytes written to temporary files by queries.", "db");
    final Family size =
        Family.gauge("postgres_database_size_bytes", "Disk space the database uses.", "db");
    final Family xidAge =
        Family.gauge(
            "postgres_xid_age",
            "age(datfrozenxid): transactions since the database was last frozen.",
            "db");
    final Family wraparound =
        Family.gauge(
            "postgres_xid_wraparound_ratio",
            "postgres_xid_age as a share of the 2^31 wraparound limit.",
            "db");
    final Family oldestTransaction =
        Family.gauge(
            "postgres_oldest_transaction_age_seconds",
            "Age of the oldest open transaction on the server.",
            "db");
    final Family oldestIdleInTransaction =
        Family.gauge(
            "postgres_oldest_idle_in_transaction_age_seconds",
            "How long the oldest idle-in-transaction session has been idle.",
            "db");
    final Family locksWaiting =
        Family.gauge("postgres_locks_waiting", "Lock requests not granted, server-wide.", "db");
    final Family replicationLag =
        Family.gauge(
            "postgres_replication_lag_seconds",
            "Replay lag of each streaming replica.",
            "db",
            "replica");

    List<MetricSnapshot> snapshots() {
      List<MetricSnapshot> out = new ArrayList<>();
      for (Family f :
          List.of(
              info,
              maxConnections,
              connections,
              commits,
              rollbacks,
              blocksHit,
              blocksRead,
              deadlocks,
              tempBytes,
              size,
              xidAge,
              wraparound,
              oldestTransaction,
              oldestIdleInTransaction,
              locksWaiting,
              replicationLag)) {
        out.add(f.toSnapshot());
      }
      return out;
    }
  }

  /** The per-table families of one table read. */
  private final class Tables {
    final int max = config.maxTables();
    final Family databaseSize =
        Family.gauge("postgres_database_size_bytes", "Disk space the database uses.", "db");
    final Family live =
        Family.gauge(
            "postgres_table_live_tuples",
            "Estimated live rows (pg_stat_user_tables).",
            "db",
            "table");
    final Family dead =
        Family.gauge(
            "postgres_table_dead_tuples",
            "Estimated dead rows, waiting for vacuum.",
            "db",
            "table");
    final Family deadRatio =
        Family.gauge(
            "postgres_table_dead_ratio", "Dead rows as a share of all rows.", "db", "table");
    final Family vacuumAge =
        Family.gauge(
            "postgres_table_last_vacuum_age_seconds",
            "Since the last vacuum or autovacuum (absent: never).",
            "db",
            "table");
    final Family analyzeAge =
        Family.gauge(
            "postgres_table_last_analyze_age_seconds",
            "Since the last analyze or autoanalyze (absent: never).",
            "db",
            "table");
    final Family size =
        Family.gauge(
            "postgres_table_size_bytes",
            "The table's size (with TOAST, without indexes).",
            "db",
            "table");
    final Family indexes =
        Family.gauge(
            "postgres_table_indexes_size_bytes", "The size of the table's indexes.", "db", "table");

    List<MetricSnapshot> snapshots() {
      return List.of(
          databaseSize.toSnapshot(),
          live.toSnapshot(),
          dead.toSnapshot(),
          deadRatio.toSnapshot(),
          vacuumAge.toSnapshot(),
          analyzeAge.toSnapshot(),
          size.toSnapshot(),
          indexes.toSnapshot());
    }
  }
}
