package io.caretaker.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.caretaker.actions.RunRecord;
import io.caretaker.actions.RunRecord.Outcome;
import io.caretaker.actions.Trigger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunHistoryTest {
  @TempDir Path dir;

  private static RunRecord record(long id, String action) {
    Instant t = Instant.parse("2026-11-23T10:00:00Z").plusSeconds(id);
    return new RunRecord(
        id,
        action,
        Trigger.manual("test"),
        t,
        t.plusMillis(5),
        Outcome.SUCCESS,
        null,
        false,
        Map.of("bytes_freed", id * 10));
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
      assertThat(h.newest(Optional.empty(), 10))
          .extracting(RunRecord::id)
          .containsExactly(3L, 2L, 1L);
      assertThat(h.newest(Optional.of("a"), 10)).extracting(RunRecord::id).containsExactly(3L, 1L);
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
    Files.writeString(
        file,
        "{\"id\":3,\"action\":\"a\",\"trig",
        StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
    try (RunHistory h = new RunHistory(file, 100)) {
      assertThat(h.newest(Optional.empty(), 10)).extracting(RunRecord::id).containsExactly(2L, 1L);
      h.append(record(h.nextId(), "a"));
    }
    try (RunHistory h = new RunHistory(file, 100)) {
      assertThat(h.newest(Optional.empty(), 10))
          .extracting(RunRecord::id)
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
      assertThat(h.newest(Optional.empty(), 100))
          .hasSize(10)
          .first()
          .extracting(RunRecord::id)
          .isEqualTo(55L);
    }
    assertThat(Files.readAllLines(file).size()).isLessThanOrEqualTo(20);
    try (RunHistory h = new RunHistory(file, 10)) {
      assertThat(h.nextId()).isEqualTo(56);
    }
  }

  @Test
  void readersNeverWaitForTheWriterOrItsLock() throws Exception {
    try (RunHistory h = new RunHistory(dir.resolve("runs.jsonl"), 100)) {
      h.append(record(h.nextId(), "a")).join();
      CountDownLatch held = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Thread writer =
          new Thread(
              () -> {
                synchronized (h) { // what an append holds while it records
                  held.countDown();
                  awaitQuietly(release);
                }
              });
      writer.start();
      held.await();
      CompletableFuture<Integer> read =
          CompletableFuture.supplyAsync(
              () -> h.newest(Optional.empty(), 10).size() + (h.find(1).isPresent() ? 1 : 0));
      assertThat(read.get(30, TimeUnit.SECONDS)).as("read while the lock is held").isEqualTo(2);
      release.countDown();
      writer.join();
    }
  }

  @Test
  void manyAppendsFromManyThreadsAllLandInTheFile() throws Exception {
    Path file = dir.resolve("runs.jsonl");
    try (RunHistory h = new RunHistory(file, 10_000)) {
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        threads.add(
            new Thread(
                () -> {
                  for (int i = 0; i < 250; i++) {
                    h.append(record(h.nextId(), "a"));
                  }
                }));
      }
      threads.forEach(Thread::start);
      for (Thread t : threads) {
        t.join();
      }
    }
    try (RunHistory h = new RunHistory(file, 10_000)) {
      assertThat(h.newest(Optional.empty(), 2000)).hasSize(1000);
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
