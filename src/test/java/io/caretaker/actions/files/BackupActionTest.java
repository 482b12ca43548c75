package io.caretaker.actions.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caretaker.actions.ActionContext;
import io.caretaker.actions.ActionFailure;
import io.caretaker.actions.Trigger;
import io.caretaker.config.ActionSpec;
import io.caretaker.config.RedisConfig;
import io.caretaker.redis.RedisConnection;
import io.caretaker.testing.MutableClock;
import io.caretaker.testing.RedisServer;
import io.prometheus.metrics.core.metrics.Gauge;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupActionTest {
  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
  private final Gauge success = Gauge.builder().name("s").labelNames("action").build();
  private final Gauge size = Gauge.builder().name("b").labelNames("action").build();

  private BackupAction action(List<Path> sources, int keep) {
    return new BackupAction(
        "backup",
        new ActionSpec.Backup(sources, dir.resolve("backups"), keep, false),
        clock,
        success,
        size,
        Optional.empty());
  }

  private static Map<String, Object> run(BackupAction a, boolean dryRun) throws Exception {
    return a.run(new ActionContext("backup", dryRun, Trigger.manual("t")));
  }

  private Path sources() throws Exception {
    Path config = Files.createDirectories(dir.resolve("config/nested/deeper"));
    Files.writeString(dir.resolve("config/app.yml"), "port: 9000\n");
    byte[] blob = new byte[3_000_000];
    new Random(7).nextBytes(blob);
    Files.write(config.resolve("blob.bin"), blob);
    Files.writeString(dir.resolve("config/nested/" + "long-name-".repeat(12) + ".txt"), "long");
    Files.createSymbolicLink(dir.resolve("config/link.yml"), Path.of("app.yml"));
    return dir.resolve("config");
  }

  private static List<String> tree(Path root) throws Exception {
    try (Stream<Path> s = Files.walk(root)) {
      return s.map(p -> root.relativize(p).toString()).sorted().toList();
    }
  }

  @Test
  void restoredWithTarEveryByteEqualsTheSource() throws Exception {
    Path source = sources();
    Map<String, Object> d = run(action(List.of(source), 7), false);

    Path archive = Path.of((String) d.get("archive"));
    assertThat(archive.getFileName().toString()).isEqualTo("backup-20261123T100000Z.tar.gz");
    assertThat(d).containsEntry("entries", 7);
    Path restore = Files.createDirectories(dir.resolve("restore"));
    // GNU tar, as docs/operations.md restores: silent (no unknown LIBARCHIVE.* headers to warn of).
    Process tar =
        new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", restore.toString())
            .redirectErrorStream(true)
            .start();
    String said = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(tar.waitFor()).as(said).isZero();
    assertThat(said).as("what GNU tar printed").isEmpty();
    Path restored = restore.resolve(source.toString().substring(1));
    assertThat(tree(restored)).isEqualTo(tree(source));
    for (String rel : tree(source)) {
      Path a = source.resolve(rel);
      Path b = restored.resolve(rel);
      if (Files.isSymbolicLink(a)) {
        assertThat(Files.readSymbolicLink(b)).isEqualTo(Files.readSymbolicLink(a));
      } else if (Files.isRegularFile(a)) {
        assertThat(Files.readAllBytes(b)).as(rel).isEqualTo(Files.readAllBytes(a));
      }
    }
    assertThat(BackupAction.verify(archive)).contains("OK, 7 entries");
    assertThat(size.labelValues("backup").get()).isEqualTo(Files.size(archive));
  }

  @Test
  void keepsTheNewestArchives() throws Exception {
    Path source = sources();
    for (int i = 0; i < 4; i++) {
      run(action(List.of(source), 2), false);
      clock.advance(86_400);
    }
    try (Stream<Path> s = Files.list(dir.resolve("backups"))) {
      assertThat(s.map(p -> p.getFileName().toString()).sorted())
          .containsExactly("backup-20261125T100000Z.tar.gz", "backup-20261126T100000Z.tar.gz");
    }
  }

  @Test
  void aCorruptedArchiveFailsVerification() throws Exception {
    Map<String, Object> d = run(action(List.of(sources()), 7), false);
    Path archive = Path.of((String) d.get("archive"));
    try (RandomAccessFile f = new RandomAccessFile(archive.toFile(), "rw")) {
      f.seek(f.length() / 2);
      int b = f.read();
      f.seek(f.length() / 2);
      f.write(b ^ 0xff);
    }
    assertThatThrownBy(() -> BackupAction.verify(archive)).isInstanceOf(IOException.class);
  }

  @Test
  void aMissingSourceFailsAndLeavesNoArchive() throws Exception {
    assertThatThrownBy(() -> run(action(List.of(sources(), dir.resolve("nope")), 7), false))
        .isInstanceOf(ActionFailure.class)
        .hasMessageContaining("does not exist");
    assertThat(dir.resolve("backups")).doesNotExist();
  }

  @Test
  void redisSnapshotIsTakenAndArchived() throws Exception {
    try (var server = new RedisServer(dir.resolve("redis"));
        var redis = new RedisConnection(new RedisConfig(server.uri(), Duration.ofSeconds(2)))) {
      redis.get().sync().set("position:1", "long 100 AAPL");
      BackupAction action =
          new BackupAction(
              "backup",
              new ActionSpec.Backup(List.of(sources()), dir.resolve("backups"), 7, true),
              clock,
              success,
              size,
              Optional.of(redis));
      Map<String, Object> d = run(action, false);
      Path rdb = dir.resolve("redis").toRealPath().resolve("dump.rdb");
      assertThat(d)
          .containsEntry("redis_snapshot", rdb.toString())
          .containsEntry("redis_snapshot_archived", true);
      String entry = rdb.toString().substring(1);
      var manifest = TarGz.read(Path.of((String) d.get("archive")));
      assertThat(manifest).containsKey(entry);
      assertThat(manifest.get(entry).size()).isEqualTo(Files.size(rdb));
    }
  }

  @Test
  void dryRunWritesNothing() throws Exception {
    Map<String, Object> d = run(action(List.of(sources()), 7), true);
    assertThat(d).containsKey("would_write");
    assertThat(dir.resolve("backups")).doesNotExist();
  }

  @Test
  void tempArchivesAStoppedRunLeftGoAtStartAndBeforeEachRun() throws Exception {
    Path backups = Files.createDirectories(dir.resolve("backups"));
    Path stale = Files.writeString(backups.resolve("backup-20261123T090000Z.tar.gz.tmp"), "x");
    Path others = Files.writeString(backups.resolve("other-20261123T090000Z.tar.gz.tmp"), "x");
    BackupAction action = action(List.of(sources()), 7);
    action.removeLeftovers();
    assertThat(stale).doesNotExist();
    Files.writeString(stale, "left by a kill -9 after start-up");
    run(action, false);
    assertThat(stale).doesNotExist();
    assertThat(others).as("another action's file").exists();
  }

  @Test
  void twoBackupsInOneSecondBothStay() throws Exception {
    BackupAction action = action(List.of(sources()), 7);
    run(action, false);
    run(action, false);
    assertThat(tree(dir.resolve("backups")))
        .containsExactly("", "backup-20261123T100000Z.tar.gz", "backup-20261123T100000Z_2.tar.gz");
  }
}
