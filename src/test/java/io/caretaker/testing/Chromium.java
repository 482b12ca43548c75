package io.caretaker.testing;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Debian's headless Chromium driven over the DevTools protocol (a WebSocket the JDK speaks), so a
 * test loads the real page in a real browser with nothing downloaded: evaluate script, click,
 * resize, take screenshots, and collect every console error, uncaught exception, CSP violation and
 * dialog the page caused.
 */
public final class Chromium implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final WebSocket socket;
  private final AtomicLong ids = new AtomicLong();
  private final Map<Long, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<JsonNode> events = new ConcurrentLinkedQueue<>();

  private Chromium(Process process, WebSocket.Builder builder, URI page) {
    this.process = process;
    this.socket = builder.buildAsync(page, new Listener()).join();
  }

  /** Starts Chromium with a fresh profile in {@code dir}, on one blank page. */
  public static Chromium start(Path dir) throws Exception {
    Path binary = Tools.require("chromium", "chromium");
    Path profile = Files.createDirectories(dir.resolve("chromium-profile"));
    Process p =
        new ProcessBuilder(
                binary.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--remote-debugging-port=0",
                "--remote-allow-origins=*",
                "--user-data-dir=" + profile,
                "--window-size=1280,900",
                "about:blank")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("chromium.log").toFile())
            .start();
    Path portFile = profile.resolve("DevToolsActivePort");
    await("Chromium's DevTools port")
        .atMost(Duration.ofSeconds(60))
        .until(() -> !p.isAlive() || Files.exists(portFile) && Files.size(portFile) > 0);
    if (!p.isAlive()) {
      throw new IOException("chromium exited: " + Files.readString(dir.resolve("chromium.log")));
    }
    int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
    HttpClient http = HttpClient.newHttpClient();
    JsonNode targets =
        JSON.readTree(
            http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
    for (JsonNode t : targets) {
      if (t.path("type").asText().equals("page")) {
        Chromium c =
            new Chromium(
                p, http.newWebSocketBuilder(), URI.create(t.get("webSocketDebuggerUrl").asText()));
        c.call("Page.enable", Map.of());
        c.call("Runtime.enable", Map.of());
        c.call("Log.enable", Map.of());
        return c;
      }
    }
    p.destroyForcibly();
    throw new IOException("chromium offered no page target: " + targets);
  }

  /** One DevTools command; its result, or an AssertionError with the protocol's error. */
  public JsonNode call(String method, Map<String, ?> params) throws Exception {
    long id = ids.incrementAndGet();
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    calls.put(id, answer);
    ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
    message.set("params", JSON.valueToTree(params));
    socket.sendText(JSON.writeValueAsString(message), true).join();
    JsonNode reply = answer.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (reply.has("error")) {
      throw new AssertionError(method + ": " + reply.get("error"));
    }
    return reply.path("result");
  }

  /**
   * Loads {@code url} and waits until {@code readyExpression} is true in the page. Until the new
   * document has a body (navigation is asynchronous: the first polls may see none) the page is not
   * ready, rather than the expression failing on it.
   */
  public void open(String url, String readyExpression) throws Exception {
    call("Page.navigate", Map.of("url", url));
    String guarded = "document.body !== null && (" + readyExpression + ")";
    await("page ready: " + readyExpression)
        .atMost(Duration.ofSeconds(30))
        .until(() -> Boolean.TRUE.equals(evaluateValue(guarded)));
  }

  /** Evaluates {@code expression} in the page (promises awaited); its value as JSON. */
  public JsonNode evaluate(String expression) throws Exception {
    JsonNode r =
        call(
            "Runtime.evaluate",
            Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
    if (r.has("exceptionDetails")) {
      throw new AssertionError(expression + " threw: " + r.get("exceptionDetails"));
    }
    return r.path("result").path("value");
  }

  /** The same, as a plain Java value (String, Boolean, Number, null). */
  public Object evaluateValue(String expression) throws Exception {
    JsonNode v = evaluate(expression);
    return v.isMissingNode() || v.isNull() ? null : JSON.treeToValue(v, Object.class);
  }

  /** Clicks the first element {@code selector} matches (failing if none does). */
  public void click(String selector) throws Exception {
    evaluate(
        "(() => { const e = document.querySelector("
            + JSON.writeValueAsString(selector)
            + "); if (!e) throw new Error('nothing matches ' + "
            + JSON.writeValueAsString(selector)
            + "); e.click(); return true; })()");
  }

  /** Sets the viewport (CSS pixels) as a window of that size would. */
  public void resize(int width, int height) throws Exception {
    call(
        "Emulation.setDeviceMetricsOverride",
        Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
  }

  /** A PNG of the whole page at the current width. */
  public void screenshot(Path png) throws Exception {
    JsonNode r =
        call("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true));
    Files.createDirectories(png.getParent());
    Files.write(png, Base64.getDecoder().decode(r.get("data").asText()));
  }

  /** Console errors, uncaught exceptions and log errors (CSP violations among them) so far. */
  public List<String> errors() {
    List<String> out = new ArrayList<>();
    for (JsonNode e : events) {
      String method = e.path("method").asText();
      JsonNode p = e.path("params");
      if (method.equals("Runtime.exceptionThrown")) {
        out.add("exception: " + p.path("exceptionDetails"));
      } else if (method.equals("Runtime.consoleAPICalled")
          && p.path("type").asText().equals("error")) {
        out.add("console.error: " + p.path("args"));
      } else if (method.equals("Log.entryAdded")
          && p.path("entry").path("level").asText().equals("error")) {
        out.add("log: " + p.path("entry").path("text").asText());
      }
    }
    return out;
  }

  /** Every alert, confirm or prompt the page opened. */
  public List<String> dialogs() {
    return events.stream()
        .filter(e -> e.path("method").asText().equals("Page.javascriptDialogOpening"))
        .map(e -> e.path("params").path("message").asText())
        .toList();
  }

  @Override
  public void close() throws Exception {
    try {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // the browser goes anyway
    }
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  /** Joins a message's parts, then settles a call or keeps an event. */
  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          JsonNode m = JSON.readTree(partial.toString());
          if (m.has("id")) {
            CompletableFuture<JsonNode> f = calls.remove(m.get("id").asLong());
            if (f != null) {
              f.complete(m);
            }
          } else {
            events.add(m);
          }
        } catch (IOException e) {
          events.add(
              JSON.createObjectNode().put("method", "unreadable").put("text", partial.toString()));
        }
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }
  }
}
