package io.caretaker.postgres;

import io.caretaker.config.PostgresConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to one configured database (pgjdbc), opened lazily and again after it breaks, so
 * the agent starts without PostgreSQL and an outage costs one failed connect per use. Every
 * statement on it has {@code statement_timeout} (the config's timeout); logs once when the database
 * goes away and once when it is back, as RedisConnection does.
 */
public final class PostgresConnection implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PostgresConnection.class);

  private final PostgresConfig.Database db;
  private final Duration timeout;
  private Connection connection;
  private volatile boolean up;
  private boolean reportedDown;

  public PostgresConnection(PostgresConfig.Database db, Duration timeout) {
    this.db = db;
    this.timeout = timeout;
  }

  public PostgresConfig.Database database() {
    return db;
  }

  /** The open connection, connecting first if needed. */
  public synchronized Connection get() throws SQLException {
    if (connection != null && connection.isClosed()) {
      connection = null;
    }
    if (connection == null) {
      connection = open(db, timeout, timeout);
    }
    return connection;
  }

  /**
   * A new connection of its own, for work with its own limits (maintenance): {@code
   * statementTimeout} on every statement of it.
   */
  public static Connection open(
      PostgresConfig.Database db, Duration connectTimeout, Duration statementTimeout)
      throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", db.user());
    String password = password(db);
    if (password != null) {
      props.setProperty("password", password);
    }
    props.setProperty("connectTimeout", Long.toString(Math.max(1, connectTimeout.toSeconds())));
    props.setProperty("options", "-c statement_timeout=" + statementTimeout.toMillis());
    props.setProperty("ApplicationName", "caretaker");
    props.setProperty("tcpKeepAlive", "true");
    return DriverManager.getConnection(db.jdbcUrl(), props);
  }

  private static String password(PostgresConfig.Database db) throws SQLException {
    if (db.password().isPresent()) {
      return db.password().get();
    }
    if (db.passwordFile().isPresent()) {
      try {
        return Files.readString(db.passwordFile().get()).strip();
      } catch (IOException e) {
        throw new SQLException("cannot read password_file " + db.passwordFile().get() + ": " + e);
      }
    }
    return null;
  }

  public boolean up() {
    return up;
  }

  /** Records the outcome of a use; on failure drops the connection so the next use reconnects. */
  public synchronized void report(SQLException failure) {
    up = failure == null;
    if (failure != null) {
      closeQuietly();
      if (!reportedDown) {
        reportedDown = true;
        log.warn(
            "PostgreSQL {} ({}) is unreachable: {}; caretaker_postgres_up reads 0 and its other"
                + " series are absent meanwhile",
            db.name(),
            db.redacted(),
            failure.getMessage());
      }
    } else if (reportedDown) {
      reportedDown = false;
      log.info("PostgreSQL {} ({}) is back", db.name(), db.redacted());
    }
  }

  private void closeQuietly() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // it is broken already
      }
      connection = null;
    }
  }

  @Override
  public synchronized void close() {
    closeQuietly();
  }
}
