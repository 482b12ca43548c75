package io.caretaker.actions.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.caretaker.actions.ActionContext;
import io.caretaker.actions.ActionFailure;
import io.caretaker.actions.Redactor;
import io.caretaker.actions.Trigger;
import io.caretaker.config.ActionSpec;
import io.caretaker.config.ConfigLoader;
import io.caretaker.testing.MutableClock;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * log-rotation on real files, with a real writer in a child process (LogWriterMain) appending
 * numbered lines while rotations happen: afterwards every number is in exactly one file.
 */
class LogRotationActionTest {
  private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(NOW);
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter rotations =
      Counter.builder().name("rotations").labelNames("set", "method").register(registry);
  private final Counter atRisk =
      Counter.builder().name("at_risk").labelNames("set").register(registry);
  private Process writer;

  @AfterEach
  void stopWriter() {
    if (writer != null) {
      writer.destroyForcibly();
    }
  }

  private Path root() throws Exception {
    return Files.createDirectories(dir.resolve("logs"));
  }

  private LogRotationAction action(String settings) {
    ActionSpec.LogRotation spec =
        (ActionSpec.LogRotation)
            ConfigLoader.parse(
                    "t.yml",
                    "actions:\n  logs: { type: log-rotation, roots: [%s], %s }\n"
                        .formatted(dir.resolve("logs"), settings),
                    Map.of())
                .actions()
                .get("logs")
                .spec();
    return new LogRotationAction(
        "logs", spec, clock, dir.resolve("data"), new Redactor(List.of()), rotations, atRisk);
  }

  private static Map<String, Object> run(LogRotationAction a) throws Exception {
    return a.run(new ActionContext("logs", false, Trigger.manual("t")));
  }

  /** Starts the writer on logs/app.log and waits until it has written. */
  private Path startWriter(boolean reopenOnHup) throws Exception {
    Path log = root().resolve("app.log");
    Path pidfile = dir.resolve("writer.pid");
    writer =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                LogWriterMain.class.getName(),
                log.toString(),
                pidfile.toString(),
                reopenOnHup ? "reopen" : "ignore")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    await().until(() -> Files.exists(pidfile) && Files.size(log) > 64 * 1024);
    return log;
  }

  /** Stops the writer; returns how many lines it wrote. */
  private long stopWriter(Path log) throws Exception {
    // SIGTERM: it stops writing and prints its count (Process.destroy would close its output)
    assertThat(new ProcessBuilder("kill", "-TERM", Long.toString(writer.pid())).start().waitFor())
        .isZero();
    String count = new String(writer.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    assertThat(writer.waitFor()).isZero();
    return Long.parseLong(count.trim());
  }

  /** Every rotated file of app.log, oldest first (gunzipped), then the live one: all its bytes. */
  private String everything(Path log) throws Exception {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    List<Path> rotated;
    try (Stream<Path> files = Files.list(log.getParent())) {
      rotated =
          files
              .filter(f -> f.getFileName().toString().matches("app\\.log\\.\\d{8}T.*"))
              .sorted()
              .toList();
    }
    for (Path f : rotated) {
      try (InputStream in =
          f.toString().endsWith(".gz")
              ? new GZIPInputStream(Files.newInputStream(f))
              : Files.newInputStream(f)) {
        in.transferTo(all);
      }
    }
    if (Files.exists(log)) { // a writer that did not reopen has none
      all.write(Files.readAllBytes(log));
    }
    return all.toString(StandardCharsets.US_ASCII);
  }

  private static void assertEveryLineOnce(String text, long written) {
    List<String> lines = text.lines().toList();
    assertThat(lines).as("lines in all files").hasSize((int) written);
    for (int i = 0; i < lines.size(); i++) {
      if (!lines.get(i).equals(Integer.toString(i))) {
        throw new AssertionError("line " + i + " is \"" + lines.get(i) + "\"");
      }
    }
  }

  /** Rotates five times while the writer runs, a second apart (distinct names). */
  private void rotateFiveTimes(LogRotationAction action, Path log) throws Exception {
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofSeconds(1));
      Map<String, Object> r = run(action);
      assertThat((List<?>) r.get("rotated")).hasSize(1);
      await().until(() -> Files.size(log) > 16 * 1024); // the writer goes on meanwhile
    }
  }

  @Test
  void renameAndHupLoseAndDuplicateNoLine() throws Exception {
    Path log = startWriter(true);
    LogRotationAction action =
        action(
            "signal: { pidfile: %s, signal: HUP }, keep: 10".formatted(dir.resolve("writer.pid")));
    rotateFiveTimes(action, log);
    long written = stopWriter(log);
    assertEveryLineOnce(everything(log), written);
    assertThat(rotations.labelValues("logs", "rename").get()).isEqualTo(5);
    try (Stream<Path> files = Files.list(log.getParent())) {
      assertThat(files.filter(f -> f.toString().endsWith(".gz")).count())
          .as("all but the newest rotated file compressed")
          .isEqualTo(4);
    }
  }

  @Test
  void copytruncateOnExt4LosesAndDuplicatesNoByte() throws Exception {
    Path log = startWriter(false);
    LogRotationAction action = action("method: copytruncate, keep: 10, compress: false");
    clock.advance(Duration.ofSeconds(1));
    Map<String, Object> first = run(action);
    @SuppressWarnings("unchecked")
    Map<String, Object> how = ((List<Map<String, Object>>) first.get("rotated")).get(0);
    assumeThat(how.get("how"))
        .as("collapse-range is supported by the filesystem of " + dir)
        .isEqualTo("collapse-range");
    await().until(() -> Files.size(log) > 16 * 1024);
    rotateFiveTimes(action, log);
    long written = stopWriter(log);
    assertEveryLineOnce(everything(log), written);
    assertThat(first.get("bytes_at_risk")).isEqualTo(0L);
  }

  @Test
  void aWriterThatDoesNotReopenIsReportedAndLosesNothing() throws Exception {
    Path log = startWriter(false);
    LogRotationAction action =
        action("signal: { pidfile: %s, signal: HUP }".formatted(dir.resolve("writer.pid")));
    assertThatThrownBy(() -> run(action))
        .isInstanceOf(ActionFailure.class)
        .hasMessageContaining("a writer did not reopen")
        .satisfies(
            e ->
                assertThat(((ActionFailure) e).details())
                    .containsKey("writers_still_on_rotated_file"));
    long written = stopWriter(log);
    assertEveryLineOnce(everything(log), written);
  }

  @Test
  void twoRotationsInOneSecondGetTwoNamesAndKeepPrunesTheOldest() throws Exception {
    Path log = Files.writeString(root().resolve("app.log"), "a\n");
    LogRotationAction action = action("keep: 2, compress_delay: 1");
    run(action);
    Files.writeString(log, "b\n");
    run(action);
    assertThat(names())
        .as("the older compressed, the newest left plain for a writer that may still hold it")
        .containsExactly("app.log.20261202T100000Z.gz", "app.log.20261202T100000Z_2");
    Files.writeString(log, "c\n");
    clock.advance(Duration.ofSeconds(1));
    Map<String, Object> third = run(action);
    assertThat(names())
        .containsExactly("app.log.20261202T100000Z_2.gz", "app.log.20261202T100001Z");
    assertThat(third).containsEntry("files_deleted", 1L).containsEntry("files_compressed", 1L);
  }

  @Test
  void createMakesTheNewLiveFileWithItsMode() throws Exception {
    Path log = Files.writeString(root().resolve("app.log"), "a\n");
    run(action("create: { mode: \"0640\" }"));
    assertThat(Files.readString(log)).isEmpty();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(log)))
        .isEqualTo("rw-r-----");
  }

  private List<String> names() throws Exception {
    try (Stream<Path> files = Files.list(dir.resolve("logs"))) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aDryRunSaysWhatItWouldDoAndChangesNothing() throws Exception {
    Path log = Files.writeString(root().resolve("app.log"), "a\n");
    Files.writeString(root().resolve("app.log.20261201T000000Z"), "old\n");
    Files.writeString(root().resolve("empty.log"), "");
    Map<String, Object> plan =
        action("keep: 1").run(new ActionContext("logs", true, Trigger.manual("t")));
    assertThat(plan.get("would_rotate").toString()).contains(log.toString());
    assertThat(plan.get("would_delete").toString()).contains("app.log.20261201T000000Z");
    assertThat(plan).containsEntry("not_due", 1L); // empty.log is under min_size
    assertThat(names()).containsExactly("app.log", "app.log.20261201T000000Z", "empty.log");
  }

  @Test
  void aSymlinkedLogIsNeitherFollowedNorRotated() throws Exception {
    Path outside = Files.writeString(dir.resolve("outside.log"), "secret\n");
    Files.createSymbolicLink(root().resolve("link.log"), outside);
    Map<String, Object> r = run(action("keep: 3"));
    assertThat((List<?>) r.get("rotated")).isEmpty();
    assertThat(Files.readString(outside)).isEqualTo("secret\n");
    assertThat(names()).containsExactly("link.log");
  }

  /** Another agent (here flock(1)) rotating the same file: this run leaves it alone. */
  @Test
  void aLogAnotherRotationHoldsIsSkipped() throws Exception {
    Path log = Files.writeString(root().resolve("app.log"), "a\n");
    Process other =
        new ProcessBuilder("flock", "--exclusive", "--no-fork", log.toString(), "sleep", "60")
            .start();
    try {
      await()
          .until(
              () ->
                  !LibC.tryLock(log)
                      .map(
                          l -> {
                            l.close();
                            return true;
                          })
                      .orElse(false));
      Map<String, Object> r = run(action("keep: 3"));
      assertThat(r.get("rotated").toString()).contains("another rotation holds it");
      assertThat(names()).containsExactly("app.log");
    } finally {
      other.destroyForcibly().waitFor();
    }
    assertThat(((List<?>) run(action("keep: 3")).get("rotated")).toString())
        .doesNotContain("another rotation holds it")
        .contains("rotated_to");
  }

  /** tmpfs has no collapse-range: copy-then-truncate, with what may be lost measured and said. */
  @Test
  void withoutCollapseRangeCopytruncateReportsTheBytesAtRisk() throws Exception {
    Path logs = root();
    Process mount =
        new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", logs.toString())
            .redirectErrorStream(true)
            .start();
    String said = new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assumeThat(mount.waitFor()).as("mount a tmpfs (root needed): " + said).isZero();
    try {
      Path log = startWriter(false);
      clock.advance(Duration.ofSeconds(1));
      Map<String, Object> r = run(action("method: copytruncate, compress: false"));
      @SuppressWarnings("unchecked")
      Map<String, Object> entry = ((List<Map<String, Object>>) r.get("rotated")).get(0);
      assertThat(entry).containsEntry("how", "copy-then-truncate").containsKey("bytes_at_risk");
      assertThat(r.get("bytes_at_risk")).isEqualTo(entry.get("bytes_at_risk"));
      assertThat(atRisk.labelValues("logs").get())
          .isEqualTo(((Number) entry.get("bytes_at_risk")).doubleValue());
      // The figure is a lower bound: what is appended between the last size check and the
      // truncate itself cannot be measured (docs/operations.md), so lost lines are not bounded
      // by it; that some may be lost is the point of reporting it.
      long written = stopWriter(log);
      assertThat(everything(log).lines().count()).isLessThanOrEqualTo(written);
    } finally {
      new ProcessBuilder("umount", "-l", logs.toString()).start().waitFor();
    }
  }

  /** kill -9 between the copy and the collapse: the next run finishes it, nothing twice. */
  @Test
  void anInterruptedCopytruncateIsFinishedByTheNextRun() throws Exception {
    Path log = root().resolve("app.log");
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 3000; i++) {
      text.append(i).append('\n');
    }
    Files.writeString(log, text);
    long block = Files.getFileStore(log).getBlockSize();
    byte[] all = Files.readAllBytes(log);
    Path pending = root().resolve("app.log.20261202T095959Z" + CopyTruncate.PENDING);
    Files.write(pending, Arrays.copyOf(all, (int) block)); // copied, not yet collapsed
    Map<String, Object> r;
    try {
      r = run(action("method: copytruncate, min_size: 100MiB, compress: false"));
    } catch (ActionFailure e) {
      r = e.details();
    }
    Path rotated = root().resolve("app.log.20261202T095959Z");
    if (Files.exists(rotated)) {
      assertThat(Files.readString(rotated) + Files.readString(log)).isEqualTo(text.toString());
      assertThat(r.get("rotated").toString()).contains("finished an interrupted rotation");
    } else {
      // No collapse-range on this filesystem: the copy went and the live file holds everything.
      assertThat(Files.readAllBytes(log)).isEqualTo(all);
      assertThat(Files.exists(pending)).isFalse();
    }
  }
}
