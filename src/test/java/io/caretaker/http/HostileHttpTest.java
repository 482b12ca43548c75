package io.caretaker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caretaker.config.ConfigLoader;
import io.caretaker.daemon.Daemon;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An outsider cannot exhaust the agent: no body is read before the token, bodies in flight share a
 * budget, slow and idle connections are closed, and malformed bodies get a one-line 400.
 */
class HostileHttpTest {
  private static final String TOKEN = "hostile-test-token";
  private static final int MAX_BODY = 4096;

  @TempDir static Path dir;
  private static Daemon daemon;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    daemon =
        Daemon.start(
            ConfigLoader.parse(
                "t.yml",
                """
        agent: { data_dir: %s }
        server: { port: 0, tokens: [%s], max_body_bytes: %d }
        """
                    .formatted(dir.resolve("data"), TOKEN, MAX_BODY),
                Map.of()),
            List.of());
    port = daemon.port();
  }

  @AfterAll
  static void stop() {
    daemon.close();
  }

  private static Socket connect() throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(30_000);
    return s;
  }

  private static void send(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    s.getOutputStream().flush();
  }

  private static String post(String path, boolean token, long length) {
    return "POST "
        + path
        + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Connection: close\r\n"
        + (token ? "Authorization: Bearer " + TOKEN + "\r\n" : "")
        + "Content-Length: "
        + length
        + "\r\n\r\n";
  }

  /** Everything the server sends until it closes the connection. */
  private static String readAll(Socket s) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InputStream in = s.getInputStream();
    byte[] buf = new byte[8192];
    for (int n; (n = in.read(buf)) > 0; ) {
      out.write(buf, 0, n);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String exchange(String request, String body) throws IOException {
    try (Socket s = connect()) {
      send(s, request + body);
      return readAll(s);
    }
  }

  @Test
  void aPostWithoutTokenIsRefusedBeforeAByteOfItsBodyIsSent() throws Exception {
    try (Socket s = connect()) {
      send(s, post("/api/v1/alertmanager", false, 1_000_000));
      String answer = readAll(s);
      assertThat(answer).startsWith("HTTP/1.1 401").contains("missing Authorization");
    }
  }

  @Test
  void bodiesInFlightShareABudgetAnsweredWith503WhenSpent() throws Exception {
    List<Socket> hoarders = new ArrayList<>();
    try {
      for (int i = 0; i < HttpVerticle.BODY_BUDGET_BODIES; i++) {
        Socket s = connect();
        send(s, post("/api/v1/trading/events", true, MAX_BODY) + " ".repeat(MAX_BODY - 10));
        hoarders.add(s);
      }
      await()
          .atMost(Duration.ofSeconds(9))
          .untilAsserted(
              () ->
                  assertThat(exchange(post("/api/v1/trading/events", true, 200), " ".repeat(200)))
                      .startsWith("HTTP/1.1 503")
                      .contains("Retry-After: 1")
                      .contains("server busy"));
    } finally {
      for (Socket s : hoarders) {
        s.close();
      }
    }
    String event = "{\"type\":\"order\",\"status\":\"filled\",\"side\":\"buy\",\"venue\":\"X\"}";
    await()
        .untilAsserted(
            () ->
                assertThat(exchange(post("/api/v1/trading/events", true, event.length()), event))
                    .startsWith("HTTP/1.1 200"));
  }

  @Test
  void aBodyOverTheLimitIsRefusedWhetherDeclaredOrNot() throws Exception {
    assertThat(exchange(post("/api/v1/alertmanager", true, MAX_BODY + 1), ""))
        .startsWith("HTTP/1.1 413")
        .contains("server.max_body_bytes = 4096");
    String chunked =
        "POST /api/v1/alertmanager HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            + TOKEN
            + "\r\nTransfer-Encoding: chunked\r\n\r\n";
    String chunk = Integer.toHexString(3000) + "\r\n" + " ".repeat(3000) + "\r\n";
    assertThat(exchange(chunked, chunk + chunk + "0\r\n\r\n")).startsWith("HTTP/1.1 413");
  }

  @Test
  void slowHeadersAndSlowBodiesAreCutOff() throws Exception {
    try (Socket slowHeaders = connect();
        Socket slowBody = connect()) {
      send(slowHeaders, "POST /api/v1/alertmanager HTTP/1.1\r\nHost: x\r\n");
      send(slowBody, post("/api/v1/alertmanager", true, 100) + "{\"alerts\":");
      assertThat(readAll(slowBody)).startsWith("HTTP/1.1 408").contains("too slow");
      assertThat(readAll(slowHeaders)).as("closed without an answer").isEmpty();
    }
  }

  @Test
  void thousandsOfIdleConnectionsAreClosedAndScrapesStillAnswer() throws Exception {
    List<Socket> idle = new ArrayList<>();
    try {
      for (int i = 0; i < 2000; i++) {
        idle.add(connect());
      }
      assertThat(exchange("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", ""))
          .startsWith("HTTP/1.1 200")
          .contains("caretaker_build_info");
      for (Socket s : idle) {
        s.setSoTimeout(20_000);
        try {
          assertThat(s.getInputStream().read()).as("closed by the server").isEqualTo(-1);
        } catch (SocketTimeoutException e) {
          throw new AssertionError("an idle connection was kept open", e);
        }
      }
    } finally {
      for (Socket s : idle) {
        s.close();
      }
    }
  }

  @Test
  void malformedWebhookBodiesGetAOneLine400() throws Exception {
    String deep = "[".repeat(1001) + "]".repeat(1001);
    String longNumber = "{\"alerts\":[],\"n\":" + "9".repeat(1500) + "}";
    String longKey = "{\"" + "k".repeat(3000) + "\":1}";
    for (String body :
        List.of(
            deep,
            "{\"a\":" + deep + "}",
            longNumber,
            longKey,
            "{",
            "\u0000",
            "[]",
            "{\"alerts\":[{\"status\":\"firing\",\"labels\":{\"a\":1}}]}")) {
      String answer = exchange(post("/api/v1/alertmanager", true, body.length()), body);
      assertThat(answer)
          .as(body.substring(0, Math.min(40, body.length())))
          .startsWith("HTTP/1.1 400")
          .doesNotContain("Exception")
          .doesNotContain("\n\tat ");
      String json = answer.substring(answer.indexOf("\r\n\r\n") + 4);
      assertThat(json.lines()).hasSize(1);
    }
  }
}
