package io.caretaker.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.caretaker.actions.RunRecord.Outcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.caretaker.actions.RunRecord;
import io.caretaker.actions.Trigger;

class RunHistoryTest {
  @TempDir Path dir;

  private static RunRecord record(long id, String action) {
    Instant t = Instant.parse("2026-11-23T10:00:00Z").plusSeconds(id);
    return new RunRecord(id, action, Trigger.manual("test"), t, t.plusMillis(5),
        Outcome.SUCCESS, null, false, Map.of("bytes_freed", id * 10));
  }

  @Test
  void recordsSurviveAReopenNewestFirst() {
    Path file = dir.resolve("runs.jsonl");
    try (RunHistory h = new RunHistory(file, 100)) {
      h.append(record(h.nextId(), "a"));
      h.append(record(h.nextId(), "b"));
      h.append(record(h.nextId(), "a"));
    }
    try (RunHistory h = new RunHistory(file, 100)) {
      assertThat(h.newest(Optional.empty(), 10)).extracting(RunRecord::id).containsExactly(3L,
          2L, 1L);
      assertThat(h.newest(Optional.of("a"), 10)).extracting(RunRecord::id).containsExactly(3L,
          1L);
      assertThat(h.find(2)).get().extracting(RunRecord::action).isEqualTo("b");
      assertThat(h.find(2).orElseThrow().details()).containsEntry("bytes_freed", 20);
      assertThat(h.nextId()).isEqualTo(4);
    }
  }

  @Test
  void aTornLastLineFromAKillIsDroppedAndEarlierRecordsKept() throws Exception {
    Path file = dir.resolve("runs.jsonl");
    try (RunHistory h = new RunHistory(file, 100)) {
      h.append(record(h.nextId(), "a"));
      h.append(record(h.nextId(), "a"));
    }
    Files.writeString(file, "{\"id\":3,\"action\":\"a\",\"trig", StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
    try (RunHistory h = new RunHistory(file, 100)) {
      assertThat(h.newest(Optional.empty(), 10)).extracting(RunRecord::id).containsExactly(2L,
          1L);
      h.append(record(h.nextId(), "a"));
    }
    try (RunHistory h = new RunHistory(file, 100)) {
      assertThat(h.newest(Optional.empty(), 10)).extracting(RunRecord::id)
          .containsExactly(3L, 2L, 1L);
    }
    assertThat(Files.readAllLines(file)).hasSize(3);
  }

  @Test
  void historyStaysBoundedByCompaction() throws Exception {
    Path file = dir.resolve("runs.jsonl");
    try (RunHistory h = new RunHistory(file, 10)) {
      for (int i = 0; i < 55; i++) {
        h.append(record(h.nextId(), "a"));
      }
      assertThat(h.newest(Optional.empty(), 100)).hasSize(10).first()
          .extracting(RunRecord::id).isEqualTo(55L);
    }
    assertThat(Files.readAllLines(file).size()).isLessThanOrEqualTo(20);
    try (RunHistory h = new RunHistory(file, 10)) {
      assertThat(h.nextId()).isEqualTo(56);
    }
  }
}
