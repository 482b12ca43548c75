package io.caretaker.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caretaker.actions.RunRecord;
import io.caretaker.actions.RunRecord.Outcome;
import io.caretaker.actions.Trigger;
import io.caretaker.run.HealthJournal;
import io.caretaker.run.RunHistory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A report of a day built from a known history and journal: the JSON says exactly what they hold,
 * the CSV parses back to the same figures (names with commas, quotes and formula starts intact and
 * harmless), and the HTML shows markup from rule labels as text.
 */
class ReportTest {
  private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
  private static final String REF = "disk{mountpoint=\"/data,x\",note=\"=HYPERLINK(1)<b>\"}";

  @TempDir Path dir;
  private RunHistory history;
  private HealthJournal journal;

  @AfterEach
  void close() {
    if (history != null) {
      history.close();
    }
  }

  private void record(
      String action,
      Outcome outcome,
      int startMinutesAgo,
      int seconds,
      Map<String, Object> details) {
    Instant start = NOW.minus(Duration.ofMinutes(startMinutesAgo));
    history.append(
        new RunRecord(
            history.nextId(),
            action,
            Trigger.rule(REF),
            start,
            start.plusSeconds(seconds),
            outcome,
            null,
            false,
            details));
  }

  private Report dayReport() {
    history = history == null ? new RunHistory(dir.resolve("runs.jsonl"), 100) : history;
    return Report.build("host-1", history, journal, Period.parse("daily", NOW), NOW);
  }

  private void fill() {
    history = new RunHistory(dir.resolve("runs.jsonl"), 100);
    journal = new HealthJournal(dir.resolve("health.jsonl"), NOW.minus(Duration.ofDays(3)));
    record("cleanup", Outcome.SUCCESS, 60, 10, Map.of("bytes_freed", 1000L, "keys_deleted", 5L));
    record("cleanup", Outcome.SUCCESS, 30, 30, Map.of("bytes_freed", 500L));
    record("cleanup", Outcome.FAILURE, 20, 2, Map.of());
    record("vacuum", Outcome.SUCCESS, 10, 4, Map.of("rows_deleted", 42L));
    record("vacuum", Outcome.SUCCESS, 60 * 30, 4, Map.of("rows_deleted", 999L)); // a day before
    history.append(
        new RunRecord(
            history.nextId(),
            "cleanup",
            Trigger.rule(REF),
            NOW.minusSeconds(60),
            null,
            Outcome.SKIPPED,
            "cooldown",
            false,
            Map.of("count", 7L)));
    // fired 2 days ago, cleared in the period: 2 days to clear; fired and cleared in 5 minutes
    journal.ruleChanged(NOW.minus(Duration.ofDays(2)), "disk", REF, "ok", "warning");
    journal.ruleChanged(NOW.minus(Duration.ofHours(3)), "disk", REF, "warning", "ok");
    journal.ruleChanged(NOW.minus(Duration.ofHours(2)), "disk", REF, "ok", "critical");
    journal.ruleChanged(NOW.minus(Duration.ofMinutes(115)), "disk", REF, "critical", "ok");
    journal.score(NOW.minus(Duration.ofHours(5)), 100);
    journal.score(NOW.minus(Duration.ofHours(4)), 60);
    journal.score(NOW.minus(Duration.ofHours(4)).plusSeconds(5), 10); // same minute: not kept
    journal.score(NOW.minus(Duration.ofHours(2)), 80);
    journal.score(NOW.minus(Duration.ofDays(2)), 0); // before the period
  }

  @Test
  void theJsonSaysWhatTheHistoryAndJournalHold() throws Exception {
    fill();
    JsonNode r = new ObjectMapper().readTree(ReportFormats.render(dayReport(), "json"));
    assertThat(r.get("instance").asText()).isEqualTo("host-1");
    assertThat(r.get("outcomes").toString())
        .isEqualTo("{\"failure\":1,\"skipped\":7,\"success\":3}");
    JsonNode cleanup = r.get("actions").get(0);
    assertThat(cleanup.get("action").asText()).isEqualTo("cleanup");
    assertThat(cleanup.get("runs").asLong()).isEqualTo(10);
    assertThat(cleanup.get("total_seconds").asDouble()).isEqualTo(42.0);
    assertThat(cleanup.get("max_seconds").asDouble()).isEqualTo(30.0);
    assertThat(cleanup.get("figures").toString())
        .isEqualTo("{\"bytes_freed\":1500,\"keys_deleted\":5,\"rows_deleted\":0}");
    assertThat(r.get("actions").get(1).get("figures").get("rows_deleted").asLong()).isEqualTo(42);
    JsonNode rule = r.get("rules").get(0);
    assertThat(rule.get("fired").asLong()).as("fired in the period").isEqualTo(1);
    assertThat(rule.get("cleared").asLong()).isEqualTo(2);
    assertThat(rule.get("mean_seconds_to_clear").asDouble())
        .isEqualTo((Duration.ofDays(2).minusHours(3).toSeconds() + 300) / 2.0);
    JsonNode health = r.get("health");
    assertThat(health.get("samples").asLong()).isEqualTo(3);
    assertThat(health.get("min").asInt()).isEqualTo(60);
    assertThat(health.get("max").asInt()).isEqualTo(100);
    assertThat(health.get("mean").asDouble()).isEqualTo(80.0);
  }

  @Test
  void theCsvParsesBackAndNoCellStartsAFormula() {
    fill();
    List<List<String>> rows =
        parseCsv(new String(ReportFormats.render(dayReport(), "csv"), StandardCharsets.UTF_8));
    assertThat(rows.get(0)).containsExactly("section", "name", "field", "value");
    assertThat(rows).allSatisfy(row -> assertThat(row).hasSize(4));
    assertThat(rows).contains(List.of("action", "cleanup", "bytes_freed", "1500"));
    assertThat(rows).contains(List.of("health", "score", "mean", "80.0"));
    assertThat(rows).contains(List.of("rule", REF, "cleared", "2"));
    assertThat(ReportFormats.cell("=SUM(A1)")).isEqualTo("'=SUM(A1)");
    assertThat(ReportFormats.cell("-3.5")).isEqualTo("-3.5");
  }

  @Test
  void theHtmlIsOneFileWithAChartAndShowsMarkupAsText() {
    fill();
    String html = new String(ReportFormats.render(dayReport(), "html"), StandardCharsets.UTF_8);
    assertThat(html).startsWith("<!doctype html>").contains("<svg").contains("<polyline");
    assertThat(html).doesNotContain("<b>").contains("&lt;b&gt;").doesNotContain("<script");
    assertThat(html).doesNotContain("src=").doesNotContain("href=");
  }

  @Test
  void anEmptyPeriodSaysSo() throws Exception {
    journal = new HealthJournal(dir.resolve("health.jsonl"), NOW);
    String html = new String(ReportFormats.render(dayReport(), "html"), StandardCharsets.UTF_8);
    assertThat(html).contains("No runs in this period").contains("No samples in this period");
  }

  @Test
  void periodsAreReadOrRefusedByName() {
    assertThat(Period.parse("2026-11-01..2026-11-30", NOW))
        .isEqualTo(
            new Period(
                Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z")));
    assertThat(Period.parse("weekly", NOW).from()).isEqualTo(NOW.minus(Duration.ofDays(7)));
    assertThatThrownBy(() -> Period.parse("monthly", NOW)).hasMessageContaining("daily, weekly");
    assertThatThrownBy(() -> Period.parse("2026-12-01..2026-11-01", NOW))
        .hasMessageContaining("before");
    assertThatThrownBy(() -> Period.parse("2026-13-01..2026-12-01", NOW))
        .hasMessageContaining("\"2026-13-01\"");
  }

  @Test
  void theJournalSurvivesARestartDropsWhatIsTooOldAndATornLine() throws Exception {
    Path file = dir.resolve("health.jsonl");
    HealthJournal j = new HealthJournal(file, NOW.minus(Duration.ofDays(40)));
    j.score(NOW.minus(Duration.ofDays(40)), 50);
    j.score(NOW.minus(Duration.ofDays(1)), 70);
    Files.writeString(file, "{\"t\":\"2026-12-0", java.nio.file.StandardOpenOption.APPEND);
    HealthJournal reopened = new HealthJournal(file, NOW);
    assertThat(reopened.between(Instant.EPOCH, NOW))
        .extracting(HealthJournal.Entry::score)
        .containsExactly(70);
    assertThat(Files.readAllLines(file)).hasSize(1);
  }

  /** RFC 4180, as a spreadsheet reads it. */
  private static List<List<String>> parseCsv(String text) {
    List<List<String>> rows = new ArrayList<>();
    List<String> row = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cell.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        row.add(cell.toString());
        cell.setLength(0);
      } else if (c == '\r') {
        continue;
      } else if (c == '\n') {
        row.add(cell.toString());
        cell.setLength(0);
        rows.add(row);
        row = new ArrayList<>();
      } else {
        cell.append(c);
      }
    }
    return rows;
  }
}
