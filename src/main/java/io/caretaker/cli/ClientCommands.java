package io.caretaker.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.caretaker.cli.AgentClient.AgentError;
import io.caretaker.cli.AgentClient.Column;
import io.caretaker.config.Units;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

// One file on purpose: each command is a few lines of picocli around AgentClient; this is their
// table.
/**
 * The operator's commands against a running agent's REST API: a table by default, the agent's JSON
 * with {@code --json}. Exit 0 when done, 1 when the agent cannot be reached, refuses, or the run
 * waited for did not succeed; 2 for usage errors.
 */
public final class ClientCommands {
  private ClientCommands() {}

  /** What every client command shares: the client options and error handling. */
  abstract static class Base implements Callable<Integer> {
    @Mixin AgentClient client;
    @Spec CommandSpec spec;

    abstract int run(PrintWriter out) throws AgentError;

    @Override
    public Integer call() {
      try {
        return run(spec.commandLine().getOut());
      } catch (AgentError e) {
        spec.commandLine().getErr().println("caretaker: " + e.getMessage());
        return e.usage() ? ExitCode.USAGE : ExitCode.SOFTWARE;
      }
    }

    /** Prints the JSON, or the rows under {@code field} as a table. */
    int show(PrintWriter out, JsonNode body, String field, List<Column> columns) {
      if (client.json) {
        client.printJson(out, body);
      } else {
        AgentClient.table(out, body.path(field), columns);
      }
      return ExitCode.OK;
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description =
          "The agent's instance, version, health score, Redis, maintenance and" + " firing rules.")
  public static final class Status extends Base {
    @Override
    int run(PrintWriter out) throws AgentError {
      JsonNode s = client.get("/api/v1/status");
      if (client.json) {
        client.printJson(out, s);
        return ExitCode.OK;
      }
      ObjectNode rows = JsonNodeFactory.instance.objectNode();
      rows.put("instance", s.path("instance").asText());
      rows.put("version", s.path("version").asText());
      rows.put("uptime", s.path("uptime_seconds").asText() + "s");
      rows.put("last collection", AgentClient.text(s.path("last_collection")));
      rows.put("health score", s.path("health_score").asText());
      rows.put("redis up", AgentClient.text(s.path("redis_up")));
      JsonNode m = s.path("maintenance");
      rows.put(
          "maintenance",
          m.path("enabled").asBoolean()
              ? "on ("
                  + m.path("source").asText()
                  + ")"
                  + (m.path("reason").asText().isEmpty() ? "" : ": " + m.path("reason").asText())
                  + " until "
                  + m.path("until").asText()
              : "off");
      StringBuilder firing = new StringBuilder();
      s.path("firing_rules")
          .forEach(
              r ->
                  firing
                      .append(firing.length() > 0 ? ", " : "")
                      .append(r.path("ref").asText())
                      .append(" (")
                      .append(r.path("state").asText())
                      .append(')'));
      rows.put("firing rules", firing.length() == 0 ? "none" : firing.toString());
      int width = 16;
      rows.fields()
          .forEachRemaining(
              e ->
                  out.println(
                      String.format("%-" + width + "s%s", e.getKey(), e.getValue().asText())));
      return ExitCode.OK;
    }
  }

  @Command(
      name = "actions",
      mixinStandardHelpOptions = true,
      description = "The configured actions, whether they run now, and their last run.")
  public static final class Actions extends Base {
    @Override
    int run(PrintWriter out) throws AgentError {
      return show(
          out,
          client.get("/api/v1/actions"),
          "actions",
          List.of(
              Column.of("NAME", "name"),
              Column.of("TYPE", "type"),
              Column.of("COOLDOWN", "cooldown"),
              Column.of("RUNNING", "running"),
              new Column("LAST RUN", a -> lastRun(a.path("last_run")))));
    }

    private static String lastRun(JsonNode r) {
      return r.isMissingNode() || r.isNull()
          ? "never"
          : r.path("started_at").asText() + " " + r.path("outcome").asText();
    }
  }

  @Command(
      name = "action",
      mixinStandardHelpOptions = true,
      description = "Run an action, or reset its circuit.",
      subcommands = {ActionRun.class, ActionReset.class})
  public static final class Action {}

  @Command(
      name = "reset",
      mixinStandardHelpOptions = true,
      description = "Close an action's circuit: automatic triggers may run it again.")
  static final class ActionReset extends Base {
    @Parameters(paramLabel = "NAME", description = "The action's name (see `actions`).")
    String name;

    @Override
    int run(PrintWriter out) throws AgentError {
      JsonNode r = client.post("/api/v1/actions/" + encode(name) + "/reset", "");
      if (client.json) {
        client.printJson(out, r);
      } else {
        out.println("circuit of " + name + " closed");
      }
      return ExitCode.OK;
    }
  }

  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = {
        "Run an action now, or with --all every action (of --type, of --tag), a few at a time,",
        "each under its cooldown, budget and maintenance. Exit 1 if, with --wait or --all,",
        "a run does not succeed."
      })
  static final class ActionRun extends Base {
    @Parameters(
        paramLabel = "NAME",
        arity = "0..1",
        description = "The action's name (see `actions`); none with --all.")
    String name;

    @Option(names = "--all", description = "Run every action (waits for all of them).")
    boolean all;

    @Option(names = "--type", paramLabel = "TYPE", description = "With --all: only this type.")
    String type;

    @Option(names = "--tag", paramLabel = "TAG", description = "With --all: only actions tagged.")
    String tag;

    @Option(names = "--dry-run", description = "Only plan: change nothing.")
    boolean dryRun;

    @Option(
        names = "--wait",
        description = "Wait for the run to end, showing its progress, and print its record.")
    boolean await;

    @Option(names = "--force", description = "Ignore the action's cooldown.")
    boolean force;

    @Override
    int run(PrintWriter out) throws AgentError {
      if (all == (name != null)) {
        throw new AgentError("name one action, or give --all", true);
      }
      if (!all && (type != null || tag != null)) {
        throw new AgentError("--type and --tag choose among --all", true);
      }
      if (all) {
        return runAll(out);
      }
      String query = "?dry_run=" + dryRun + "&force=" + force;
      JsonNode r = client.post("/api/v1/actions/" + encode(name) + "/run" + query, "");
      if (await) {
        r = new ProgressWatch(client, spec.commandLine().getErr()).until(r.path("run_id").asLong());
      }
      if (client.json) {
        client.printJson(out, r);
      } else if (await) {
        printRecord(out, r);
      } else {
        out.println(
            "run "
                + r.path("run_id").asText()
                + " "
                + r.path("state").asText()
                + (r.path("reason").isTextual() ? " (" + r.path("reason").asText() + ")" : ""));
      }
      boolean failed =
          await
              ? !"success".equals(r.path("outcome").asText())
              : "skipped".equals(r.path("state").asText());
      return failed ? ExitCode.SOFTWARE : ExitCode.OK;
    }

    private int runAll(PrintWriter out) throws AgentError {
      StringBuilder query = new StringBuilder("?wait=true&dry_run=" + dryRun);
      if (type != null) {
        query.append("&type=").append(encode(type));
      }
      if (tag != null) {
        query.append("&tag=").append(encode(tag));
      }
      JsonNode r = client.post("/api/v1/actions/run-all" + query, "");
      if (client.json) {
        client.printJson(out, r);
      } else {
        AgentClient.table(
            out,
            r.path("runs"),
            List.of(
                Column.of("ACTION", "action"),
                Column.of("RUN", "id"),
                Column.of("OUTCOME", "outcome"),
                Column.of("REASON", "reason")));
        List<String> counts = new ArrayList<>();
        r.path("outcomes")
            .fields()
            .forEachRemaining(e -> counts.add(e.getValue() + " " + e.getKey()));
        out.println(counts.isEmpty() ? "no action matched" : String.join(", ", counts));
      }
      boolean failed = r.path("outcomes").has("failure") || r.path("outcomes").has("timeout");
      return failed ? ExitCode.SOFTWARE : ExitCode.OK;
    }

    private static void printRecord(PrintWriter out, JsonNode r) {
      out.println(
          "run "
              + r.path("id").asText()
              + " "
              + r.path("action").asText()
              + ": "
              + r.path("outcome").asText()
              + (r.path("reason").isTextual() ? " (" + r.path("reason").asText() + ")" : "")
              + (r.path("dry_run").asBoolean() ? " [dry run]" : ""));
      r.path("details")
          .fields()
          .forEachRemaining(
              e -> out.println("  " + e.getKey() + ": " + AgentClient.text(e.getValue())));
    }
  }

  @Command(
      name = "runs",
      mixinStandardHelpOptions = true,
      description = "Run records, newest first.")
  public static final class Runs extends Base {
    /** The API's own limit (docs/operations.md, GET /api/v1/runs). */
    private static final int MAX_RUNS = 10_000;

    @Option(names = "--action", paramLabel = "NAME", description = "Only this action's runs.")
    String action;

    @Option(
        names = "--effect",
        paramLabel = "EFFECT",
        description = "Only runs judged effective, ineffective or unknown.")
    String effect;

    @Option(
        names = "--outcome",
        paramLabel = "OUTCOME",
        description = "Only runs that ended so: success, failure, skipped, timeout, running.")
    String outcome;

    @Option(
        names = "--limit",
        paramLabel = "N",
        defaultValue = "50",
        description = "At most N records (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    int run(PrintWriter out) throws AgentError {
      if (limit < 1 || limit > MAX_RUNS) {
        throw new ParameterException(
            spec.commandLine(), "--limit: expecting 1 to " + MAX_RUNS + ", got " + limit);
      }
      String query =
          "?limit="
              + limit
              + (action == null ? "" : "&action=" + encode(action))
              + (effect == null ? "" : "&effect=" + encode(effect))
              + (outcome == null ? "" : "&outcome=" + encode(outcome));
      return show(
          out,
          client.get("/api/v1/runs" + query),
          "runs",
          List.of(
              Column.of("ID", "id"),
              Column.of("ACTION", "action"),
              new Column(
                  "TRIGGER",
                  r ->
                      r.path("trigger").path("type").asText()
                          + " "
                          + r.path("trigger").path("ref").asText()),
              Column.of("STARTED", "started_at"),
              Column.of("OUTCOME", "outcome"),
              Column.of("EFFECT", "effect"),
              new Column(
                  "REASON",
                  r ->
                      AgentClient.text(r.path("reason"))
                          + (r.path("dry_run").asBoolean() ? " [dry run]" : ""))));
    }
  }

  @Command(
      name = "schedules",
      mixinStandardHelpOptions = true,
      description = "The schedules, paused or not, and when each next runs.")
  public static final class Schedules extends Base {
    @Override
    int run(PrintWriter out) throws AgentError {
      return show(
          out,
          client.get("/api/v1/schedules"),
          "schedules",
          List.of(
              Column.of("ID", "id"),
              Column.of("ACTION", "action"),
              new Column(
                  "WHEN",
                  s ->
                      s.path("cron").isTextual()
                          ? "cron " + s.path("cron").asText() + " " + s.path("timezone").asText()
                          : "every " + s.path("every").asText()),
              Column.of("PAUSED", "paused"),
              Column.of("NEXT RUN", "next_run")));
    }
  }

  @Command(
      name = "schedule",
      mixinStandardHelpOptions = true,
      description = "Pause or resume a schedule (kept across restarts).",
      subcommands = {SchedulePause.class, ScheduleResume.class})
  public static final class Schedule {}

  abstract static class SetPaused extends Base {
    @Parameters(paramLabel = "ID", description = "The schedule's id (see `schedules`).")
    String id;

    abstract boolean pause();

    @Override
    int run(PrintWriter out) throws AgentError {
      JsonNode s =
          client.post("/api/v1/schedules/" + encode(id) + (pause() ? "/pause" : "/resume"), "");
      if (client.json) {
        client.printJson(out, s);
      } else {
        out.println(
            "schedule "
                + s.path("id").asText()
                + (s.path("paused").asBoolean()
                    ? " paused"
                    : " resumed; next run " + s.path("next_run").asText()));
      }
      return ExitCode.OK;
    }
  }

  @Command(name = "pause", mixinStandardHelpOptions = true, description = "Pause a schedule.")
  static final class SchedulePause extends SetPaused {
    boolean pause() {
      return true;
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume a schedule.")
  static final class ScheduleResume extends SetPaused {
    boolean pause() {
      return false;
    }
  }

  @Command(
      name = "report",
      mixinStandardHelpOptions = true,
      description = {
        "Print a period's report: runs by action and outcome, durations, bytes freed, keys and",
        "rows deleted, rules fired and cleared, the health score's min, mean and max."
      })
  public static final class ReportCommand extends Base {
    @Option(
        names = "--period",
        paramLabel = "PERIOD",
        defaultValue = "daily",
        description = "daily, weekly, or FROM..TO (2026-11-01..2026-11-30). Default: daily.")
    String period;

    @Option(
        names = "--format",
        paramLabel = "FORMAT",
        defaultValue = "json",
        description = "html (one file, a chart inside), csv or json. Default: json.")
    String format;

    @Override
    int run(PrintWriter out) throws AgentError {
      out.print(
          client.getText("/api/v1/report?period=" + encode(period) + "&format=" + encode(format)));
      out.flush();
      return ExitCode.OK;
    }
  }

  @Command(
      name = "maintenance",
      mixinStandardHelpOptions = true,
      description =
          "Maintenance mode: rules, schedules and alerts trigger nothing; manual runs" + " work.",
      subcommands = {MaintenanceOn.class, MaintenanceOff.class})
  public static final class Maintenance {}

  abstract static class SetMaintenance extends Base {
    abstract ObjectNode body();

    @Override
    int run(PrintWriter out) throws AgentError {
      JsonNode m = client.post("/api/v1/maintenance", body().toString());
      if (client.json) {
        client.printJson(out, m);
      } else {
        out.println(
            m.path("enabled").asBoolean()
                ? "maintenance on until "
                    + m.path("until").asText()
                    + " ("
                    + m.path("source").asText()
                    + (m.path("reason").asText().isEmpty() ? "" : ": " + m.path("reason").asText())
                    + ")"
                : "maintenance off");
      }
      return ExitCode.OK;
    }
  }

  @Command(name = "on", mixinStandardHelpOptions = true, description = "Switch maintenance on.")
  static final class MaintenanceOn extends SetMaintenance {
    @Option(
        names = "--for",
        paramLabel = "DURATION",
        defaultValue = "1h",
        description = "How long (default ${DEFAULT-VALUE}), e.g. 30m, 2h.")
    String duration;

    @Option(
        names = "--reason",
        paramLabel = "R",
        defaultValue = "",
        description = "Why, for the status and the logs.")
    String reason;

    ObjectNode body() {
      Duration d = Units.parseDuration(duration);
      if (d == null || d.isZero()) {
        throw new ParameterException(
            spec.commandLine(),
            "--for: expecting a duration like 30m, 2h or 1h30m (up to 3650d); got \""
                + duration
                + "\"");
      }
      return JsonNodeFactory.instance
          .objectNode()
          .put("enabled", true)
          .put("for", duration)
          .put("reason", reason);
    }
  }

  @Command(
      name = "off",
      mixinStandardHelpOptions = true,
      description = "Switch the operator's maintenance off (configured windows still apply).")
  static final class MaintenanceOff extends SetMaintenance {
    ObjectNode body() {
      return JsonNodeFactory.instance.objectNode().put("enabled", false);
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
