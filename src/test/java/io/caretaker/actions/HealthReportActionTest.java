package io.caretaker.actions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.caretaker.actions.RunRecord.Outcome;
import io.caretaker.config.ActionSpec;
import io.caretaker.run.RunHistory;
import io.caretaker.testing.FullDisk;
import io.caretaker.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthReportActionTest {
  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));

  private HealthReportAction action(Path reports, RunHistory history, int keep) {
    HealthSummary result =
        new HealthSummary(
            65,
            List.of(
                new HealthSummary.Check(
                    "FAIL", "rule disk-full{mountpoint=\"/\"}", "critical, value 0.95"),
                new HealthSummary.Check("WARN", "memory", "82.0% used"),
                new HealthSummary.Check("PASS", "cpu", "12.0% used")));
    return new HealthReportAction(
        new ActionSpec.HealthReport(reports, keep),
        () -> result,
        history,
        List.of("log-cleanup"),
        "trade-01",
        clock);
  }

  private static List<String> files(Path d) throws Exception {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void writesMarkdownAndJsonWithEveryCheckAndTheLastRuns() throws Exception {
    Path reports = dir.resolve("reports");
    try (RunHistory history = new RunHistory(dir.resolve("runs.jsonl"), 10)) {
      history.append(
          new RunRecord(
              history.nextId(),
              "log-cleanup",
              Trigger.manual("t"),
              clock.instant(),
              clock.instant(),
              Outcome.FAILURE,
              "disk on fire",
              false,
              Map.of()));
      Map<String, Object> details =
          action(reports, history, 5).run(new ActionContext("report", false, Trigger.manual("t")));
      assertThat(details).containsEntry("score", 65);
    }
    assertThat(files(reports))
        .containsExactly("health_check_20261123T100000Z.json", "health_check_20261123T100000Z.md");
    String md = Files.readString(reports.resolve("health_check_20261123T100000Z.md"));
    assertThat(md)
        .contains(
            "trade-01",
            "**65/100**",
            "| FAIL | rule disk-full{mountpoint=\"/\"} | critical, value 0.95 |",
            "| WARN | memory | 82.0% used |",
            "| PASS | cpu |",
            "| log-cleanup | failure | manual |",
            "disk on fire");
    Map<?, ?> json =
        new ObjectMapper()
            .readValue(reports.resolve("health_check_20261123T100000Z.json").toFile(), Map.class);
    assertThat(json.get("score")).isEqualTo(65);
    assertThat((List<?>) json.get("checks")).hasSize(3);
  }

  @Test
  void keepsOnlyTheNewestReports() throws Exception {
    Path reports = dir.resolve("reports");
    try (RunHistory history = new RunHistory(dir.resolve("runs.jsonl"), 10)) {
      HealthReportAction action = action(reports, history, 2);
      int deleted = 0;
      for (int i = 0; i < 4; i++) {
        Map<String, Object> d = action.run(new ActionContext("r", false, Trigger.manual("t")));
        deleted += (Integer) d.get("files_deleted");
        clock.advance(3600);
      }
      assertThat(deleted).isEqualTo(4);
    }
    assertThat(files(reports))
        .containsExactly(
            "health_check_20261123T120000Z.json", "health_check_20261123T120000Z.md",
            "health_check_20261123T130000Z.json", "health_check_20261123T130000Z.md");
  }

  @Test
  void dryRunWritesNothing() throws Exception {
    Path reports = dir.resolve("reports");
    try (RunHistory history = new RunHistory(dir.resolve("runs.jsonl"), 10)) {
      Map<String, Object> d =
          action(reports, history, 2).run(new ActionContext("r", true, Trigger.manual("t")));
      assertThat(d).containsKey("would_write");
    }
    assertThat(reports).doesNotExist();
  }

  @Test
  void twoReportsInOneSecondBothStay() throws Exception {
    Path reports = dir.resolve("reports");
    try (RunHistory history = new RunHistory(dir.resolve("runs.jsonl"), 10)) {
      HealthReportAction action = action(reports, history, 10);
      action.run(new ActionContext("r", false, Trigger.manual("t")));
      action.run(new ActionContext("r", false, Trigger.manual("t")));
    }
    assertThat(files(reports))
        .containsExactly(
            "health_check_20261123T100000Z.json", "health_check_20261123T100000Z.md",
            "health_check_20261123T100000Z_2.json", "health_check_20261123T100000Z_2.md");
  }

  @Test
  void aFullDiskFailsTheRunCleanlyAndLeavesNothingBehind() throws Exception {
    try (FullDisk disk = FullDisk.at(dir.resolve("disk"));
        RunHistory history = new RunHistory(dir.resolve("runs.jsonl"), 10)) {
      Path reports = Files.createDirectories(disk.path().resolve("reports"));
      assertThatThrownBy(
              () ->
                  action(reports, history, 2)
                      .run(new ActionContext("r", false, Trigger.manual("t"))))
          .isInstanceOf(ActionFailure.class)
          .hasMessageContaining("disk full");
      assertThat(files(reports)).isEmpty();
    }
  }
}
