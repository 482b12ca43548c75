package io.caretaker.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests: {@code initdb} into a temp directory (as the unprivileged
 * {@code postgres} user when the tests run as root, which PostgreSQL refuses to be), {@code pg_ctl}
 * on a free port of 127.0.0.1 with its socket in that directory, trust authentication for the user
 * {@code caretaker}. Never the server a host may run on 5432. Stopped by {@link #close}.
 */
public final class PostgresServer implements AutoCloseable {
  private final Path bin;
  private final Path dir;
  private final int port;
  private final boolean root;

  public PostgresServer(Path dir) throws Exception {
    this(dir, null);
  }

  /** A streaming standby of this server (pg_basebackup -R), started on a port of its own. */
  public PostgresServer standby(Path dir) throws Exception {
    return new PostgresServer(dir, this);
  }

  private PostgresServer(Path dir, PostgresServer primary) throws Exception {
    this.bin = binaries();
    this.dir = Files.createDirectories(dir);
    this.root = "root".equals(System.getProperty("user.name"));
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      this.port = s.getLocalPort();
    }
    if (root) { // the postgres user must reach and own its directory
      Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toRealPath();
      for (Path p = dir.toRealPath().getParent();
          p != null && p.startsWith(tmp) && !p.equals(tmp);
          p = p.getParent()) {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
      run(List.of("chown", "postgres:postgres", dir.toString()), false);
    }
    if (primary != null) {
      run(
          List.of(
              bin.resolve("pg_basebackup").toString(),
              "-h",
              "127.0.0.1",
              "-p",
              Integer.toString(primary.port),
              "-U",
              "caretaker",
              "-D",
              dir.resolve("data").toString(),
              "-R",
              "-X",
              "stream",
              "-c",
              "fast"), // a spread checkpoint would take minutes
          root);
      start();
      return;
    }
    run(
        List.of(
            bin.resolve("initdb").toString(),
            "-D",
            dir.resolve("data").toString(),
            "-U",
            "caretaker",
            "-A",
            "trust",
            "--no-sync",
            "--no-instructions"),
        root);
    start();
  }

  /** Debian's server binaries (the newest version installed), else initdb on PATH. */
  private static Path binaries() throws IOException {
    Path lib = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(lib)) {
      try (Stream<Path> versions = Files.list(lib)) {
        var newest =
            versions
                .filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString())));
        if (newest.isPresent()) {
          return newest.get().resolve("bin");
        }
      }
    }
    return Tools.require("initdb", "postgresql").getParent();
  }

  public void start() throws Exception {
    run(
        List.of(
            bin.resolve("pg_ctl").toString(),
            "-D",
            dir.resolve("data").toString(),
            "-l",
            dir.resolve("server.log").toString(),
            "-w",
            "-o",
            // autovacuum off: the tests decide when dead rows go
            "-p "
                + port
                + " -k "
                + dir
                + " -c listen_addresses=127.0.0.1 -c fsync=off"
                + " -c autovacuum=off",
            "start"),
        root);
  }

  /** Stops it (fast: sessions are cut, statistics kept for the restart). */
  public void stop() throws Exception {
    run(
        List.of(
            bin.resolve("pg_ctl").toString(),
            "-D",
            dir.resolve("data").toString(),
            "-m",
            "fast",
            "-w",
            "stop"),
        root);
  }

  private void run(List<String> command, boolean asPostgres) throws Exception {
    List<String> full = new ArrayList<>();
    if (asPostgres) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", full) + " failed:\n" + output);
    }
  }

  public int port() {
    return port;
  }

  /** The URI of a database of this server, as the config takes it. */
  public String uri(String database) {
    return "postgresql://caretaker@127.0.0.1:" + port + "/" + database;
  }

  /** A connection of the test's own, to {@code database}. */
  public Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=caretaker");
  }

  /** Runs statements on {@code database}, each in its own transaction. */
  public void sql(String database, String... statements) throws SQLException {
    try (Connection c = connect(database);
        Statement s = c.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    }
  }

  /** A table of 1,000 rows with a quarter deleted (dead rows to see), in {@code database}. */
  public void seedOrders(String database) throws SQLException {
    sql(
        database,
        "CREATE TABLE orders (id bigserial PRIMARY KEY, qty int)",
        "INSERT INTO orders (qty) SELECT g FROM generate_series(1, 1000) g",
        "DELETE FROM orders WHERE id % 4 = 0");
  }

  @Override
  public void close() throws Exception {
    try {
      stop();
    } catch (IOException alreadyStopped) {
      // a test stopped it
    }
  }
}
