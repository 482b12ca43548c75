package io.caretaker.actions.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.caretaker.actions.ActionContext;
import io.caretaker.actions.ActionFailure;
import io.caretaker.actions.Trigger;
import io.caretaker.config.ActionSpec;
import io.caretaker.config.Units;
import io.caretaker.testing.MutableClock;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** file-retention on real temp directories. */
class FileRetentionActionTest {
  private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(NOW);

  private Path root() throws Exception {
    return Files.createDirectories(dir.resolve("logs"));
  }

  private static Path file(Path at, String content, Duration age) throws Exception {
    Files.createDirectories(at.getParent());
    Files.writeString(at, content);
    Files.setLastModifiedTime(at, FileTime.from(NOW.minus(age)));
    return at;
  }

  private FileRetentionAction action(
      Path root, String compressAfter, String deleteAfter, Long maxBytes, Duration grace) {
    return new FileRetentionAction(
        new ActionSpec.FileRetention(
            List.of(root),
            false,
            List.of("*.log", "*.log.*"),
            List.of("*.keep.log"),
            Optional.ofNullable(compressAfter).map(Units::parseDuration),
            Optional.ofNullable(deleteAfter).map(Units::parseDuration),
            Optional.ofNullable(maxBytes),
            grace,
            6),
        clock,
        root.resolveSibling("caretaker-data"));
  }

  private static Map<String, Object> run(FileRetentionAction a, boolean dryRun) throws Exception {
    return a.run(new ActionContext("logs", dryRun, Trigger.manual("t")));
  }

  private static List<String> names(Path root) throws Exception {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString())
          .sorted()
          .toList();
    }
  }

  private static String gunzip(Path gz) throws Exception {
    try (var in = new GZIPInputStream(Files.newInputStream(gz))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void compressesOldDeletesOlderAndLeavesActiveAndExcludedFiles() throws Exception {
    Path root = root();
    file(root.resolve("app.log"), "today\n", Duration.ofMinutes(1));
    file(root.resolve("app.log.1"), "yesterday\n".repeat(100), Duration.ofHours(30));
    file(root.resolve("old/app.log.9"), "last week\n", Duration.ofDays(9));
    file(root.resolve("audit.keep.log"), "keep me\n", Duration.ofDays(30));
    file(root.resolve("notes.txt"), "not a log\n", Duration.ofDays(30));

    Map<String, Object> d = run(action(root, "1d", "7d", null, Duration.ofMinutes(10)), false);

    assertThat(names(root))
        .containsExactly("app.log", "app.log.1.gz", "audit.keep.log", "notes.txt");
    assertThat(gunzip(root.resolve("app.log.1.gz"))).isEqualTo("yesterday\n".repeat(100));
    assertThat(Files.getLastModifiedTime(root.resolve("app.log.1.gz")).toInstant())
        .as("keeps the original's mtime")
        .isEqualTo(NOW.minus(Duration.ofHours(30)));
    assertThat(d)
        .containsEntry("files_compressed", 1L)
        .containsEntry("files_deleted", 1L)
        .containsEntry("skipped_active", 1L)
        .containsEntry("errors", 0);
    assertThat((Long) d.get("bytes_freed")).isPositive();
  }

  @Test
  void sizeCapDeletesOldestCompressedFirstButNeverTheNewestOfASeries() throws Exception {
    Path root = root();
    String kb = "x".repeat(1000);
    file(root.resolve("app.log"), kb, Duration.ofHours(1));
    file(root.resolve("app.log.1"), kb, Duration.ofHours(2));
    file(root.resolve("app.log.2.gz"), kb, Duration.ofHours(3));
    file(root.resolve("app.log.3.gz"), kb, Duration.ofHours(4));
    file(root.resolve("feed.log.5"), kb, Duration.ofDays(5)); // the only file of its series

    run(action(root, null, null, 3000L, Duration.ofMinutes(10)), false);

    assertThat(names(root)).containsExactly("app.log", "app.log.1", "feed.log.5");
  }

  @Test
  void dryRunListsEveryFileAndWhyAndChangesNothing() throws Exception {
    Path root = root();
    file(root.resolve("a.log.1"), "a\n", Duration.ofDays(2));
    file(root.resolve("b.log.1"), "b\n", Duration.ofDays(9));
    List<String> before = names(root);

    Map<String, Object> d = run(action(root, "1d", "7d", null, Duration.ZERO), true);

    assertThat(names(root)).isEqualTo(before);
    assertThat(d.get("plan"))
        .asList()
        .containsExactlyInAnyOrder(
            Map.of(
                "file",
                root.resolve("a.log.1").toString(),
                "action",
                "compress",
                "reason",
                "older than 1d"),
            Map.of(
                "file",
                root.resolve("b.log.1").toString(),
                "action",
                "delete",
                "reason",
                "older than 7d"));
  }

  @Test
  void symlinksAreNeverFollowedOutOfTheRoot() throws Exception {
    Path root = root();
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Path precious = file(outside.resolve("precious.log"), "outside\n", Duration.ofDays(30));
    Files.createSymbolicLink(root.resolve("escape"), outside);
    Files.createSymbolicLink(root.resolve("link.log"), precious);

    run(action(root, "1d", "7d", 1L, Duration.ZERO), false);

    assertThat(precious).hasContent("outside");
    assertThat(names(outside)).containsExactly("precious.log");
    assertThat(Files.isSymbolicLink(root.resolve("link.log"))).isTrue();
  }

  @Test
  void aRootThatResolvesToTheFilesystemRootIsRefused() throws Exception {
    Path link = Files.createSymbolicLink(dir.resolve("slash"), Path.of("/"));
    assertThatThrownBy(() -> run(action(link, null, "1d", null, Duration.ZERO), false))
        .isInstanceOf(ActionFailure.class)
        .hasMessageContaining("filesystem root");
  }

  @Test
  void aFileStillBeingWrittenLosesNoLine() throws Exception {
    Path root = root();
    Path log = file(root.resolve("busy.log"), "", Duration.ofDays(2));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong written = new AtomicLong();
    Thread writer =
        new Thread(
            () -> {
              try (BufferedWriter w = Files.newBufferedWriter(log, StandardOpenOption.APPEND)) {
                while (!stop.get()) {
                  w.write("line " + written.incrementAndGet() + "\n");
                  w.flush();
                }
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            });
    writer.start();
    await().until(() -> written.get() > 10_000);
    try {
      // No grace at all: the change check alone must keep the file whole.
      run(action(root, "1s", null, null, Duration.ZERO), false);
    } catch (ActionFailure changed) {
      assertThat(changed).hasMessageContaining("changed while being compressed");
    } finally {
      stop.set(true);
      writer.join();
    }
    assertThat(names(root)).containsExactly("busy.log");
    assertThat(Files.readAllLines(log)).hasSize((int) written.get());
  }

  @Test
  void killedMidCompressionKeepsTheOriginalAndLeavesNothingBehindAfterRestart() throws Exception {
    Path root = root();
    Path big = root.resolve("big.log.1");
    try (BufferedWriter w = Files.newBufferedWriter(big)) {
      for (int i = 0; i < 3_000_000; i++) {
        w.write(
            "2026-11-23T10:00:00Z INFO order " + i + " filled venue=XNAS qty=" + (i % 977) + "\n");
      }
    }
    String digest = sha256(big);
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                SafeGzipMain.class.getName(),
                big.toString(),
                "9")
            .inheritIO()
            .start();
    Path tmp = root.resolve("big.log.1" + SafeGzip.TMP_SUFFIX);
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(tmp) && Files.size(tmp) > 0);
    Runtime.getRuntime().exec(new String[] {"kill", "-9", Long.toString(child.pid())}).waitFor();
    child.waitFor();

    assertThat(sha256(big)).as("original intact").isEqualTo(digest);
    action(root, "1d", null, null, Duration.ZERO).removeLeftovers(); // what start-up does
    assertThat(names(root)).containsExactly("big.log.1");
  }

  @Test
  void diskFullDuringCompressionKeepsTheOriginalAndTheRunGoesOn() throws Exception {
    assumeThat(System.getProperty("user.name")).as("mounting a tmpfs needs root").isEqualTo("root");
    Path root = root();
    Path small = Files.createDirectories(root.resolve("tiny"));
    assertThat(
            new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", small.toString())
                .inheritIO()
                .start()
                .waitFor())
        .isZero();
    try {
      // Random bytes do not compress: the .gz cannot fit beside the original.
      byte[] noise = new byte[200_000];
      new Random(1).nextBytes(noise);
      Path full = small.resolve("noise.log.1");
      Files.write(full, noise);
      Files.setLastModifiedTime(full, FileTime.from(NOW.minus(Duration.ofDays(2))));
      Path fine = file(root.resolve("fine.log.1"), "ok\n", Duration.ofDays(2));

      assertThatThrownBy(() -> run(action(root, "1d", null, null, Duration.ZERO), false))
          .isInstanceOf(ActionFailure.class)
          .hasMessageContaining("1 problem(s)")
          .satisfies(
              e -> assertThat(((ActionFailure) e).details()).containsEntry("files_compressed", 1L));
      assertThat(Files.readAllBytes(full)).isEqualTo(noise);
      assertThat(names(small)).containsExactly("noise.log.1");
      assertThat(fine.resolveSibling("fine.log.1.gz")).exists();
    } finally {
      new ProcessBuilder("umount", small.toString()).inheritIO().start().waitFor();
    }
  }

  @Test
  void aFileThatCannotBeDeletedIsCountedAndTheOthersStillGo() throws Exception {
    assumeThat(System.getProperty("user.name")).as("chattr needs root").isEqualTo("root");
    Path root = root();
    Path stuck = file(root.resolve("stuck.log.1"), "s\n", Duration.ofDays(9));
    file(root.resolve("gone.log.1"), "g\n", Duration.ofDays(9));
    assertThat(new ProcessBuilder("chattr", "+i", stuck.toString()).start().waitFor()).isZero();
    try {
      assertThatThrownBy(() -> run(action(root, null, "7d", null, Duration.ZERO), false))
          .isInstanceOf(ActionFailure.class)
          .hasMessageContaining("stuck.log.1: delete")
          .satisfies(
              e ->
                  assertThat(((ActionFailure) e).details())
                      .containsEntry("files_deleted", 1L)
                      .containsEntry("errors", 1));
      assertThat(names(root)).containsExactly("stuck.log.1");
    } finally {
      new ProcessBuilder("chattr", "-i", stuck.toString()).start().waitFor();
    }
  }

  @Test
  void seriesNamesIgnoreRotationNumbersDatesAndCompression() {
    assertThat(FileRetentionAction.series(Path.of("app.log"))).isEqualTo("app.log");
    assertThat(FileRetentionAction.series(Path.of("app.log.1"))).isEqualTo("app.log");
    assertThat(FileRetentionAction.series(Path.of("app.log.12.gz"))).isEqualTo("app.log");
    assertThat(FileRetentionAction.series(Path.of("x/app-2026-11-20.log")))
        .isEqualTo(FileRetentionAction.series(Path.of("x/app-2026-11-21.log.gz")));
  }

  private static String sha256(Path file) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (var in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
