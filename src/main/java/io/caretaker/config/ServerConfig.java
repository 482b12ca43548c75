package io.caretaker.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The HTTP listener: address, bearer tokens for POSTs, body limit and optional TLS. */
public record ServerConfig(
    String host, int port, List<String> tokens, long maxBodyBytes, Optional<Tls> tls) {

  public record Tls(Path cert, Path key) {}

  static ServerConfig read(Section s) {
    String host = s.string("host", "127.0.0.1");
    int port = s.integer("port", 9464, 0, 65535);
    // ["${CARETAKER_TOKEN:-}"] with the variable unset means no token.
    List<String> tokens =
        s.stringsAllowingEmpty("tokens", List.of()).stream().filter(t -> !t.isEmpty()).toList();
    long maxBody = s.bytes("max_body_bytes", 1 << 20, 1024);
    Optional<Tls> tls = s.optionalSection("tls").map(ServerConfig::readTls);
    s.finish();
    return new ServerConfig(host, port, tokens, maxBody, tls);
  }

  private static Tls readTls(Section s) {
    Path cert = readableFile(s, "cert");
    Path key = readableFile(s, "key");
    s.finish();
    return new Tls(cert, key);
  }

  private static Path readableFile(Section s, String key) {
    Path path = Path.of(s.requiredString(key));
    if (s.has(key) && !Files.isReadable(path)) {
      s.problem(key, "File not readable. Found: " + s.found(key));
    }
    return path;
  }
}
