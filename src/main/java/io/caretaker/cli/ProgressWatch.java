package io.caretaker.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.caretaker.cli.AgentClient.AgentError;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Follows a run until it ends, telling its progress: on a terminal one line redrawn in place with a
 * bar where the action knows its total (files, steps), elsewhere (a log, a pipe) a plain line each
 * time the figures move. Asks the agent twice a second; the record it returns is the run's last.
 */
final class ProgressWatch {
  private static final long POLL_MILLIS = 500;
  private static final int BAR = 24;

  private final AgentClient client;
  private final PrintWriter err;
  private final boolean terminal;

  ProgressWatch(AgentClient client, PrintWriter err) {
    this(client, err, System.console() != null);
  }

  ProgressWatch(AgentClient client, PrintWriter err, boolean terminal) {
    this.client = client;
    this.err = err;
    this.terminal = terminal;
  }

  JsonNode until(long id) throws AgentError {
    String last = "";
    while (true) {
      JsonNode run = client.get("/api/v1/runs/" + id);
      if (!"running".equals(run.path("outcome").asText())) {
        if (terminal && !last.isEmpty()) {
          err.println();
        }
        err.flush();
        return run;
      }
      String line = line(run.path("progress"));
      if (!line.equals(last)) {
        if (terminal) {
          err.print("\r\033[K" + line);
        } else {
          err.println("progress: " + line);
        }
        err.flush();
        last = line;
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AgentError("interrupted");
      }
    }
  }

  /** "[#######-----] 7/12 files_done, bytes_read 1200" or the figures alone. */
  static String line(JsonNode progress) {
    List<String> figures = new ArrayList<>();
    progress.fields().forEachRemaining(e -> figures.add(e.getKey() + " " + e.getValue().asText()));
    String text = figures.isEmpty() ? "started" : String.join(", ", figures);
    for (String unit : List.of("files", "steps")) {
      long total = progress.path(unit + "_total").asLong(0);
      if (total > 0) {
        long done = Math.min(total, progress.path(unit + "_done").asLong(0));
        int filled = (int) (BAR * done / total);
        return "["
            + "#".repeat(filled)
            + "-".repeat(BAR - filled)
            + "] "
            + done
            + "/"
            + total
            + " "
            + unit
            + "; "
            + text;
      }
    }
    return text;
  }
}
