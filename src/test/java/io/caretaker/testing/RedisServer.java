package io.caretaker.testing;

import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server for tests, on a free port (never 6379: tests delete keys), keeping nothing on
 * disk, stopped by its pid. {@link #stop()} and {@link #start()} again keep the port, for outage
 * tests.
 */
public final class RedisServer implements AutoCloseable {
  private final Path binary;
  private final Path dir;
  private final int port;
  private final List<String> extra;
  private Process process;

  /** A server on a free port; {@code extra} are more redis-server arguments (--replicaof ...). */
  public RedisServer(Path dir, String... extra) throws IOException {
    this.extra = List.of(extra);
    this.binary = Tools.require("redis-server", "redis-server");
    this.dir = Files.createDirectories(dir);
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      this.port = s.getLocalPort();
    }
    start();
  }

  public void start() throws IOException {
    List<String> argv =
        new java.util.ArrayList<>(
            List.of(
                binary.toString(),
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString(),
                "--daemonize",
                "no",
                "--logfile",
                dir.resolve("redis.log").toString()));
    argv.addAll(extra);
    process =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("stdout.log").toFile())
            .start();
    await().atMost(Duration.ofSeconds(10)).until(this::accepts);
  }

  /** Stops the server (SIGTERM, then SIGKILL) and waits until its port is closed. */
  public void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> !accepts());
  }

  public String uri() {
    return "redis://127.0.0.1:" + port + "/0";
  }

  public int port() {
    return port;
  }

  /**
   * A trading system's keys, as the kit tests' configs read them: a PnL hash, a heartbeat, a
   * market-data tick, an open-positions set, a cache key and one order event on a stream.
   */
  public void seedTrading() {
    RedisClient client = RedisClient.create(uri());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      RedisCommands<String, String> r = c.sync();
      long now = System.currentTimeMillis();
      r.hset("trading:pnl", Map.of("day", "1234.5", "week", "-200"));
      r.set("heartbeat:feed", Long.toString(now / 1000));
      r.set("md:last:ES", Long.toString(now));
      r.sadd("positions:open", "a", "b", "c");
      r.set("cache:1", "x");
      r.xadd("orders:events", Map.of("type", "order", "status", "filled", "venue", "XNAS"));
    } finally {
      client.shutdown();
    }
  }

  /** True once the server answers PING with PONG (a bound port alone may still be loading). */
  private boolean accepts() {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(2000);
      s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] answer = s.getInputStream().readNBytes(7);
      return new String(answer, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      stop();
    }
  }
}
