package io.caretaker.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The PostgreSQL databases the agent watches and maintains (docs/configuration.md): each by a
 * {@code postgresql://user@host:port/db} URI, its password from the config (use {@code ${VAR}}) or
 * a file; {@code timeout} bounds every connect and every statement.
 */
public record PostgresConfig(
    List<Database> databases, Duration timeout, int maxTables, Duration tableInterval) {

  /**
   * One database: its name in labels, where it is, and the tables to watch (empty: the largest).
   */
  public record Database(
      String name,
      String host,
      int port,
      String database,
      String user,
      Optional<String> password,
      Optional<Path> passwordFile,
      String query,
      List<String> tables) {

    /** The JDBC URL, without credentials (they travel as connection properties). */
    public String jdbcUrl() {
      return "jdbc:postgresql://"
          + host
          + ":"
          + port
          + "/"
          + database
          + (query.isEmpty() ? "" : "?" + query);
    }

    /** For logs and status: no password. */
    public String redacted() {
      return "postgresql://" + user + "@" + host + ":" + port + "/" + database;
    }
  }

  static PostgresConfig read(Section s) {
    Duration timeout = s.duration("timeout", Duration.ofSeconds(2), Duration.ofMillis(1));
    int maxTables = s.integer("max_tables", 20, 0, 1000);
    Duration tableInterval = s.duration("table_interval", Duration.ofMinutes(1), Duration.ZERO);
    List<Section> items = s.sections("databases");
    if (items.isEmpty()) {
      s.problem("databases", "Expecting a non-empty list of {name, uri}");
    }
    Section.checkUnique(items, "name");
    List<Database> databases = new ArrayList<>();
    for (Section d : items) {
      database(d).ifPresent(databases::add);
    }
    s.finish();
    return new PostgresConfig(List.copyOf(databases), timeout, maxTables, tableInterval);
  }

  // Long on purpose: the keys, then the URI taken apart with each of its problems named.
  private static Optional<Database> database(Section d) {
    String name = d.requiredString("name");
    String text = d.requiredString("uri");
    Optional<String> password = d.optionalString("password").filter(p -> !p.isEmpty());
    Optional<Path> passwordFile = d.optionalString("password_file").map(Path::of);
    if (password.isPresent() && passwordFile.isPresent()) {
      d.problem("password_file", "Expecting password or password_file, not both");
    }
    List<String> tables = d.strings("tables", List.of());
    d.finish();
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      uri = null;
    }
    if (uri == null
        || !("postgresql".equals(uri.getScheme()) || "postgres".equals(uri.getScheme()))
        || uri.getHost() == null
        || uri.getPath() == null
        || uri.getPath().length() < 2) {
      if (!text.isEmpty()) {
        d.problem(
            "uri",
            "Expecting a URI like postgresql://user@host:5432/db (the password in password or"
                + " password_file). Found: \""
                + text.replaceFirst("//[^@/]*@", "//***@")
                + "\"");
      }
      return Optional.empty();
    }
    String userInfo = uri.getUserInfo() == null ? "" : uri.getUserInfo();
    if (userInfo.contains(":")) {
      d.problem("uri", "Keep the password out of the URI: use password: ${VAR} or password_file");
    }
    return Optional.of(
        new Database(
            name,
            uri.getHost(),
            uri.getPort() < 0 ? 5432 : uri.getPort(),
            uri.getPath().substring(1),
            userInfo.isEmpty() ? "postgres" : userInfo.split(":", 2)[0],
            password,
            passwordFile,
            uri.getRawQuery() == null ? "" : uri.getRawQuery(),
            tables));
  }
}
