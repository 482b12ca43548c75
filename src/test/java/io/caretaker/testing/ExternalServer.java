package io.caretaker.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real server binary (Prometheus, Alertmanager) started by a test on a free loopback port with
 * its own temp directory, ready once {@code readyPath} answers 200, stopped by its pid.
 */
public final class ExternalServer implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final Process process;
  private final Path log;
  private final int port;

  private ExternalServer(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Starts {@code command} (its port already chosen) and waits until it is ready. */
  public static ExternalServer start(Path dir, List<String> command, int port, String readyPath)
      throws IOException {
    Files.createDirectories(dir);
    Path log = dir.resolve("server.log");
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    ExternalServer server = new ExternalServer(p, log, port);
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                if (!p.isAlive()) {
                  throw new IllegalStateException(
                      command.get(0) + " exited: " + Files.readString(log));
                }
                return server.status(readyPath) == 200;
              });
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /**
   * Alertmanager from Debian's package, with {@code alertmanager.yml} in {@code dir}, on {@code
   * port}, clustering off (its default 9094 may be taken).
   */
  public static ExternalServer alertmanager(Path dir, int port) throws IOException {
    return start(
        dir,
        List.of(
            Tools.require("prometheus-alertmanager", "prometheus-alertmanager").toString(),
            "--config.file=alertmanager.yml",
            "--storage.path=data",
            "--web.listen-address=127.0.0.1:" + port,
            "--cluster.listen-address="),
        port,
        "/-/ready");
  }

  /**
   * Prometheus from Debian's package, with {@code prometheus.yml} in {@code dir}, on {@code port}.
   */
  public static ExternalServer prometheus(Path dir, int port) throws IOException {
    return start(
        dir,
        List.of(
            Tools.require("prometheus", "prometheus").toString(),
            "--config.file=prometheus.yml",
            "--storage.tsdb.path=data",
            "--web.listen-address=127.0.0.1:" + port),
        port,
        "/-/ready");
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public String get(String pathAndQuery) throws IOException, InterruptedException {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(url() + pathAndQuery)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  public String log() throws IOException {
    return Files.readString(log);
  }

  private int status(String path) {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create(url() + path)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException | InterruptedException e) {
      return -1;
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
