package io.caretaker.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * The options every client command shares (mixed in) and the HTTP calls to a running agent.
 * Failures come back as {@link AgentError} with a message meant for the operator.
 */
public final class AgentClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(
      names = "--url",
      paramLabel = "URL",
      defaultValue = "${env:CARETAKER_URL:-http://127.0.0.1:9464}",
      // Two lines, so the help never breaks the URL at a column.
      description = {"The agent's address (env CARETAKER_URL).", "Default: ${DEFAULT-VALUE}"})
  String url;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      defaultValue = "${env:CARETAKER_TOKEN}",
      description = "Bearer token for POSTs (env CARETAKER_TOKEN).")
  String token;

  @Option(names = "--json", description = "Print the agent's JSON answer instead of a table.")
  boolean json;

  /** What went wrong talking to the agent, worded for the operator. */
  static final class AgentError extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean usage;

    AgentError(String message) {
      this(message, false);
    }

    AgentError(String message, boolean usage) {
      super(message);
      this.usage = usage;
    }

    /** Whether the operator's input was refused (a name that does not exist, a bad value). */
    boolean usage() {
      return usage;
    }
  }

  JsonNode get(String path) throws AgentError {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  /** A GET whose answer is not JSON (a report as CSV or HTML), returned as it came. */
  String getText(String path) throws AgentError {
    HttpResponse<String> response = exchange(HttpRequest.newBuilder(uri(path)).GET());
    if (response.statusCode() >= 400) {
      return send(response).toString(); // throws with the agent's error and detail
    }
    return response.body();
  }

  JsonNode post(String path, String body) throws AgentError {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body == null ? "" : body));
    if (token != null && !token.isEmpty()) {
      b.header("Authorization", "Bearer " + token);
    }
    return send(b);
  }

  private URI uri(String path) throws AgentError {
    try {
      return URI.create(url.replaceAll("/+$", "") + path);
    } catch (IllegalArgumentException e) {
      throw new AgentError("--url: not a URL: " + url);
    }
  }

  private JsonNode send(HttpRequest.Builder request) throws AgentError {
    return send(exchange(request));
  }

  private HttpResponse<String> exchange(HttpRequest.Builder request) throws AgentError {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> response;
    try {
      response =
          client.send(
              request.timeout(Duration.ofMinutes(30)).build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new AgentError(
          "cannot reach the agent at " + url + " (is it running? set --url or" + " CARETAKER_URL)");
    } catch (IOException e) {
      throw new AgentError("talking to the agent at " + url + " failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AgentError("interrupted");
    }
    return response;
  }

  private JsonNode send(HttpResponse<String> response) throws AgentError {
    JsonNode body;
    try {
      body = JSON.readTree(response.body());
    } catch (IOException e) {
      throw new AgentError(
          "the agent at "
              + url
              + " answered "
              + response.statusCode()
              + " with something that is not JSON; is --url a caretaker agent?");
    }
    int status = response.statusCode();
    if (status == 401) {
      throw new AgentError(
          "401 unauthorized: "
              + body.path("detail").asText()
              + " (pass --token or set CARETAKER_TOKEN)");
    }
    if (status >= 400) {
      throw new AgentError(
          status + " " + body.path("error").asText() + ": " + body.path("detail").asText(),
          status == 400 || status == 404);
    }
    return body;
  }

  void printJson(PrintWriter out, JsonNode body) {
    try {
      out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A column of a table: its heading and how to read a row's cell. */
  record Column(String heading, Function<JsonNode, String> cell) {
    static Column of(String heading, String field) {
      return new Column(heading, n -> text(n.path(field)));
    }
  }

  /** Prints rows as an aligned table, columns two spaces apart. */
  static void table(PrintWriter out, Iterable<JsonNode> rows, List<Column> columns) {
    List<String[]> lines = new ArrayList<>();
    lines.add(columns.stream().map(Column::heading).toArray(String[]::new));
    for (JsonNode row : rows) {
      lines.add(columns.stream().map(c -> c.cell().apply(row)).toArray(String[]::new));
    }
    int[] widths = new int[columns.size()];
    for (String[] line : lines) {
      for (int i = 0; i < line.length; i++) {
        widths[i] = Math.max(widths[i], line[i].length());
      }
    }
    for (String[] line : lines) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < line.length; i++) {
        b.append(i == line.length - 1 ? line[i] : String.format("%-" + widths[i] + "s  ", line[i]));
      }
      out.println(b.toString().stripTrailing());
    }
  }

  static String text(JsonNode n) {
    return n == null || n.isNull() || n.isMissingNode()
        ? "-"
        : n.isValueNode() ? n.asText() : n.toString();
  }
}
