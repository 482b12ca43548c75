package io.caretaker.actions;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.caretaker.config.ActionSpec;
import io.caretaker.store.AtomicFile;
import io.caretaker.store.FileErrors;
import io.caretaker.store.Stamped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Writes {@code health_check_<UTC timestamp>.md} and {@code .json}: the health score, one
 * PASS/WARN/FAIL line per rule instance and resource, and the last run of every action. Keeps the
 * newest {@code keep} reports. Files appear whole (written aside, then renamed).
 */
public final class HealthReportAction implements Action {
  private static final Pattern REPORT =
      Pattern.compile("health_check_" + Stamped.STAMP_REGEX + "\\.md");
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final ActionSpec.HealthReport spec;
  private final Supplier<HealthSummary> health;
  private final RunLog history;
  private final List<String> actionNames;
  private final String instance;
  private final Clock clock;

  public HealthReportAction(
      ActionSpec.HealthReport spec,
      Supplier<HealthSummary> health,
      RunLog history,
      List<String> actionNames,
      String instance,
      Clock clock) {
    this.spec = spec;
    this.health = health;
    this.history = history;
    this.actionNames = List.copyOf(actionNames);
    this.instance = instance;
    this.clock = clock;
  }

  @Override
  public Set<Figure> figures() {
    return Set.of(Figure.FILES_DELETED);
  }

  @Override
  public Map<String, Object> run(ActionContext ctx) throws Exception {
    Instant now = clock.instant();
    HealthSummary result = health.get();
    Path base = Stamped.unique(spec.dir(), "health_check_", now, ".md", ".json");
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("report", base + ".md");
    details.put("score", result.score());
    if (ctx.dryRun()) {
      details.put("would_write", List.of(base + ".md", base + ".json"));
      return details;
    }
    List<RunRecord> lastRuns =
        actionNames.stream().map(history::last).flatMap(Optional::stream).toList();
    Path md = Path.of(base + ".md");
    Path json = Path.of(base + ".json");
    try {
      Files.createDirectories(spec.dir());
      AtomicFile.write(
          md,
          markdown(now, result, lastRuns).getBytes(StandardCharsets.UTF_8),
          AtomicFile.Mode.CREATE_NEW);
      AtomicFile.write(
          json, JSON.writeValueAsBytes(json(now, result, lastRuns)), AtomicFile.Mode.CREATE_NEW);
    } catch (IOException e) {
      Files.deleteIfExists(md); // a report is both files or neither
      throw new ActionFailure(
          "cannot write the report in " + spec.dir() + ": " + FileErrors.describe(e), details);
    }
    details.put(Figure.FILES_DELETED.key(), prune());
    return details;
  }

  private String markdown(Instant now, HealthSummary result, List<RunRecord> runs) {
    StringBuilder md = new StringBuilder();
    md.append("# Health check: ").append(instance).append(", ").append(now).append("\n\n");
    md.append("Health score: **").append(result.score()).append("/100**\n\n");
    md.append("| status | check | detail |\n| --- | --- | --- |\n");
    for (HealthSummary.Check c : result.checks()) {
      md.append("| ")
          .append(c.status())
          .append(" | ")
          .append(c.name().replace("|", "\\|"))
          .append(" | ")
          .append(c.detail())
          .append(" |\n");
    }
    md.append("\n## Last runs\n\n| action | outcome | trigger | finished | reason |\n")
        .append("| --- | --- | --- | --- | --- |\n");
    for (RunRecord r : runs) {
      md.append("| ")
          .append(r.action())
          .append(" | ")
          .append(r.outcome().label())
          .append(r.dryRun() ? " (dry run)" : "")
          .append(" | ")
          .append(r.trigger().type().label())
          .append(" | ")
          .append(r.finishedAt())
          .append(" | ")
          .append(r.reason() == null ? "" : r.reason().replace("|", "\\|"))
          .append(" |\n");
    }
    return md.toString();
  }

  private Map<String, Object> json(Instant now, HealthSummary result, List<RunRecord> runs) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("instance", instance);
    json.put("generated_at", now.toString());
    json.put("score", result.score());
    json.put(
        "checks",
        result.checks().stream()
            .map(c -> Map.of("name", c.name(), "status", c.status(), "detail", c.detail()))
            .toList());
    json.put("last_runs", runs.stream().map(RunRecord::toJson).toList());
    return json;
  }

  /** Keeps the newest {@code keep} reports, both files of each; returns how many files went. */
  private int prune() throws IOException {
    return Stamped.keepNewest(
        spec.dir(),
        REPORT,
        spec.keep(),
        md ->
            List.of(
                md,
                md.resolveSibling(md.getFileName().toString().replaceFirst("\\.md$", ".json"))));
  }
}
