package io.caretaker.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The certificates whose expiry the agent watches (docs/configuration.md): PEM files (every
 * certificate of a chain), PKCS#12 or JKS keystores, and TLS endpoints probed with a handshake.
 */
public record TlsConfig(List<Source> certificates, Duration interval, Duration timeout) {

  /** One place certificates come from; {@code name} labels its series. */
  public sealed interface Source {
    String name();

    record PemFile(String name, Path file) implements Source {}

    record Keystore(String name, Path file, String type, Optional<String> password)
        implements Source {}

    record Endpoint(String name, String host, int port, Optional<String> serverName)
        implements Source {}
  }

  static TlsConfig read(Section s) {
    Duration interval = s.duration("interval", Duration.ofHours(1), Duration.ofSeconds(1));
    Duration timeout = s.duration("timeout", Duration.ofSeconds(5), Duration.ofMillis(1));
    List<Source> sources = new ArrayList<>();
    for (Section c : s.sections("certificates")) {
      source(c).ifPresent(sources::add);
    }
    s.finish();
    return new TlsConfig(List.copyOf(sources), interval, timeout);
  }

  private static Optional<Source> source(Section c) {
    Optional<String> file = c.optionalString("file");
    Optional<String> keystore = c.optionalString("keystore");
    Optional<String> endpoint = c.optionalString("endpoint");
    Optional<String> password = c.optionalString("password");
    String type = c.choice("type", "PKCS12", List.of("PKCS12", "JKS"));
    Optional<String> serverName = c.optionalString("server_name");
    Optional<String> name = c.optionalString("name");
    c.finish();
    int given =
        (file.isPresent() ? 1 : 0)
            + (keystore.isPresent() ? 1 : 0)
            + (endpoint.isPresent() ? 1 : 0);
    if (given != 1) {
      c.problem("file", c.line(), "Expecting exactly one of file, keystore or endpoint");
      return Optional.empty();
    }
    if (file.isPresent()) {
      return Optional.of(new Source.PemFile(name.orElse(file.get()), Path.of(file.get())));
    }
    if (keystore.isPresent()) {
      return Optional.of(
          new Source.Keystore(
              name.orElse(keystore.get()), Path.of(keystore.get()), type, password));
    }
    String hostPort = endpoint.get();
    int colon = hostPort.lastIndexOf(':');
    int port = -1;
    if (colon > 0) {
      try {
        port = Integer.parseInt(hostPort.substring(colon + 1));
      } catch (NumberFormatException e) {
        port = -1;
      }
    }
    if (port < 1 || port > 65535) {
      c.problem(
          "endpoint",
          "Expecting host:port, like exchange.example.com:443. Found: \"" + hostPort + "\"");
      return Optional.empty();
    }
    String host = hostPort.substring(0, colon).replaceAll("^\\[|\\]$", "");
    return Optional.of(new Source.Endpoint(name.orElse(hostPort), host, port, serverName));
  }
}
