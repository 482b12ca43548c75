package io.caretaker.actions;

import io.caretaker.config.ActionSpec;
import io.caretaker.store.AtomicFile;
import io.caretaker.store.FileErrors;
import io.caretaker.store.Stamped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Writes the period's report (runs, rules fired and cleared, health score: what {@code caretaker
 * report} prints) to {@code dir} as {@code report_<stamp>.<format>}, whole or not at all, and keeps
 * the newest {@code keep}. Meant for a schedule: a daily HTML report for the morning meeting.
 */
public final class ReportAction implements Action {
  /** Builds the report of a period ending now in a format; the daemon wires it to the history. */
  @FunctionalInterface
  public interface Renderer {
    byte[] render(String period, String format, Instant now);
  }

  private final ActionSpec.PeriodReport spec;
  private final Renderer renderer;
  private final Clock clock;
  private final Pattern written;

  public ReportAction(ActionSpec.PeriodReport spec, Renderer renderer, Clock clock) {
    this.spec = spec;
    this.renderer = renderer;
    this.clock = clock;
    this.written =
        Pattern.compile("report_" + Stamped.STAMP_REGEX + Pattern.quote("." + spec.format()));
  }

  @Override
  public Set<Figure> figures() {
    return Set.of(Figure.FILES_DELETED);
  }

  @Override
  public Map<String, Object> run(ActionContext ctx) throws Exception {
    Instant now = clock.instant();
    String ext = "." + spec.format();
    Path file = Path.of(Stamped.unique(spec.dir(), "report_", now, ext) + ext);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("report", file.toString());
    details.put("period", spec.period());
    byte[] body = renderer.render(spec.period(), spec.format(), now);
    details.put("bytes", body.length);
    if (ctx.dryRun()) {
      details.put("would_write", file.toString());
      return details;
    }
    try {
      Files.createDirectories(spec.dir());
      AtomicFile.write(file, body, AtomicFile.Mode.CREATE_NEW);
      details.put(
          Figure.FILES_DELETED.key(),
          Stamped.keepNewest(spec.dir(), written, spec.keep(), f -> List.of(f)));
    } catch (IOException e) {
      throw new ActionFailure(
          "cannot write the report in " + spec.dir() + ": " + FileErrors.describe(e), details);
    }
    return details;
  }
}
