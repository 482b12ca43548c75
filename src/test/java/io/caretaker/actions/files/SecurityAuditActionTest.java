package io.caretaker.actions.files;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.caretaker.actions.ActionContext;
import io.caretaker.actions.Trigger;
import io.caretaker.config.ActionSpec;
import io.caretaker.config.ConfigLoader;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log corpus with a secret of every kind planted at a known line (plain, rotated and gzipped
 * files) and near misses: each secret is found at its line, no near miss is, and no secret's text
 * appears in what the run reports. Then the incremental part: only what was appended is read.
 */
class SecurityAuditActionTest {
  /** kind → a planted value; each line is "... value ..." at the line given by its index. */
  private static final Map<String, String> SECRETS =
      Map.of(
          "aws_access_key", "AKIAIOSFODNN7EXAMPLE",
          "github_token", "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
          "slack_token", "xoxb-1234567890-abcdefghijklmnop",
          "telegram_token", "123456789:AAHk3vQ9xT2mZ8pL5nR1wY7cB4fD6gJ0sEx",
          "jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N",
          "url_credentials", "s3cr3tPassw0rd",
          "bearer", "abcDEF0123456789ghijKLMNop",
          "assignment", "hunter2-trading");

  private static final List<String> NEAR_MISSES =
      List.of(
          "password=",
          "password=******",
          "api_key=${FEED_API_KEY}",
          "password: <redacted>",
          "AKIA1234",
          "https://example.com:8443/path@here",
          "the bearer of bad news",
          "token count 12345");

  @TempDir Path dir;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Gauge findings =
      Gauge.builder().name("findings").labelNames("action", "kind").register(registry);
  private final Counter scanned =
      Counter.builder().name("scanned").labelNames("action").register(registry);

  private static String lineFor(String kind, String value) {
    return switch (kind) {
      case "url_credentials" -> "connecting to postgresql://trader:" + value + "@db:5432/x";
      case "bearer" -> "GET /api Authorization: Bearer " + value;
      case "assignment" -> "login ok password=" + value + " user=ops";
      case "private_key" -> value;
      default -> "config loaded key " + value + " for feed";
    };
  }

  private SecurityAuditAction action() {
    return action("");
  }

  private SecurityAuditAction action(String settings) {
    ActionSpec.SecurityAudit spec =
        (ActionSpec.SecurityAudit)
            ConfigLoader.parse(
                    "t.yml",
                    "actions:\n  audit: { type: security-audit, roots: [%s]%s }\n"
                        .formatted(dir.resolve("logs"), settings.isEmpty() ? "" : ", " + settings),
                    Map.of())
                .actions()
                .get("audit")
                .spec();
    return new SecurityAuditAction(
        "audit", spec, dir.resolve("data"), new byte[16], findings, scanned);
  }

  private static Map<String, Object> run(SecurityAuditAction a) throws Exception {
    return a.run(new ActionContext("audit", false, Trigger.manual("t")));
  }

  @Test
  void everyPlantedSecretIsFoundAtItsLineAndNoneOfTheirTextIsReported() throws Exception {
    Path logs = Files.createDirectories(dir.resolve("logs"));
    StringBuilder plain = new StringBuilder();
    StringBuilder gz = new StringBuilder();
    int line = 0;
    Map<String, Integer> where = new TreeMap<>();
    for (var e : SECRETS.entrySet()) {
      plain.append("2026-12-02 INFO filler line\n");
      plain.append(lineFor(e.getKey(), e.getValue())).append('\n');
      line += 2;
      where.put(e.getKey(), line);
    }
    for (String miss : NEAR_MISSES) {
      plain.append("2026-12-02 DEBUG ").append(miss).append('\n');
    }
    gz.append("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n");
    Files.writeString(logs.resolve("feed.log"), plain);
    try (OutputStream out =
        new GZIPOutputStream(Files.newOutputStream(logs.resolve("feed.log.1.gz")))) {
      out.write(gz.toString().getBytes(StandardCharsets.UTF_8));
    }

    Map<String, Object> r = run(action());
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> found = (List<Map<String, Object>>) r.get("found");
    for (var e : where.entrySet()) {
      assertThat(found)
          .as(e.getKey())
          .anySatisfy(
              f -> {
                assertThat(f.get("kind")).isEqualTo(e.getKey());
                assertThat(f.get("line")).isEqualTo((long) e.getValue());
                assertThat(f.get("file").toString()).endsWith("feed.log");
              });
    }
    assertThat(found)
        .anySatisfy(
            f -> {
              assertThat(f.get("kind")).isEqualTo("private_key");
              assertThat(f.get("file").toString()).endsWith("feed.log.1.gz");
              assertThat(f.get("line")).isEqualTo(1L);
            });
    assertThat(found).as("no near miss").hasSize(SECRETS.size() + 1);
    String everything = new ObjectMapper().writeValueAsString(r) + registry.scrape();
    for (String secret : SECRETS.values()) {
      assertThat(everything).doesNotContain(secret);
    }
    assertThat(findings.labelValues("audit", "jwt").get()).isEqualTo(1);
  }

  @Test
  void loosePrivateFilesAndWorldWritablePathsAreFoundListedInADryRunAndTightenedByFix()
      throws Exception {
    Path logs = Files.createDirectories(dir.resolve("logs"));
    Path shared = Files.createDirectories(logs.resolve("shared"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path keys = Files.createDirectories(dir.resolve("keys"));
    Path key = Files.writeString(keys.resolve("feed.key"), "k");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    Path tight = Files.writeString(keys.resolve("ok.key"), "k");
    Files.setPosixFilePermissions(tight, PosixFilePermissions.fromString("rw-------"));
    String settings = "private: [\"%s/*.key\"], owners: [nobody]".formatted(keys);

    Map<String, Object> plan =
        action(settings).run(new ActionContext("audit", true, Trigger.manual("t")));
    assertThat(plan.get("permissions").toString())
        .contains("loose_permissions", "feed.key", "rw-r--r--", "would_fix")
        .contains("world_writable", "shared", "rwxrwxrwx")
        .contains("wrong_owner")
        .doesNotContain("kind=loose_permissions, file=" + tight);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
        .as("a dry run changes nothing")
        .isEqualTo("rw-r--r--");

    run(action(settings + ", fix: true"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(shared)))
        .as("only other-write goes")
        .isEqualTo("rwxrwxr-x");
    assertThat(findings.labelValues("audit", "world_writable").get()).isEqualTo(1);
  }

  /** Line 11,651 crosses the 1 MiB read buffer: it counts once, and its secret is found. */
  @Test
  void lineNumbersHoldAcrossTheReadBuffer() throws Exception {
    Path logs = Files.createDirectories(dir.resolve("logs"));
    StringBuilder text = new StringBuilder();
    for (int i = 1; i <= 30_000; i++) {
      String filler = "%05d order filled venue=XNAS".formatted(i);
      text.append(i == 11_651 || i == 25_000 ? filler + " password=across-" + i : filler)
          .append(" ".repeat(60))
          .append('\n');
    }
    Files.writeString(logs.resolve("big.log"), text);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> found = (List<Map<String, Object>>) run(action()).get("found");
    assertThat(found).extracting(f -> f.get("line")).containsExactly(11_651L, 25_000L);
  }

  @Test
  void aRerunReadsOnlyWhatWasAppendedAndARotatedFileIsNotReadAgain() throws Exception {
    Path logs = Files.createDirectories(dir.resolve("logs"));
    Path log = logs.resolve("app.log");
    Files.writeString(log, "x\n".repeat(50_000) + "password=first-secret-1\n");
    SecurityAuditAction audit = action();
    Map<String, Object> first = run(audit);
    assertThat(first).containsEntry("findings", 1).containsEntry("bytes_scanned", 100_024L);

    String appended = "y\npassword=second-secret-2\n";
    Files.writeString(log, appended, StandardOpenOption.APPEND);
    Map<String, Object> second = run(audit);
    assertThat(second)
        .containsEntry("findings", 1)
        .containsEntry("bytes_scanned", (long) appended.length());
    @SuppressWarnings("unchecked")
    Map<String, Object> f = ((List<Map<String, Object>>) second.get("found")).get(0);
    assertThat(f).containsEntry("line", 50_003L);

    Files.move(log, logs.resolve("app.log.1")); // rotated: the same inode
    assertThat(run(audit)).containsEntry("findings", 0).containsEntry("bytes_scanned", 0L);

    // copytruncate leaves the live file shorter than where the last run stopped: read from 0
    Path cut = logs.resolve("app.log.1");
    Files.writeString(cut, "password=after-the-cut-3\n");
    Map<String, Object> afterCut = run(audit);
    assertThat(afterCut).containsEntry("findings", 1).containsEntry("bytes_scanned", 25L);
    @SuppressWarnings("unchecked")
    Map<String, Object> g = ((List<Map<String, Object>>) afterCut.get("found")).get(0);
    assertThat(g).containsEntry("line", 1L);
  }

  @Test
  void aCopyOfAFileAlreadyReadIsRecognisedByItsTextEvenCompressed() throws Exception {
    Path logs = Files.createDirectories(dir.resolve("logs"));
    Path log = logs.resolve("app.log");
    String text = numbered(1, 2_000) + "password=first-secret-1\n";
    Files.writeString(log, text);
    SecurityAuditAction audit = action();
    assertThat(run(audit)).containsEntry("findings", 1);

    // logrotate's copytruncate: a copy under a new inode, the live file emptied and written on
    Files.copy(log, logs.resolve("app.log.1"));
    Files.writeString(log, "password=after-the-cut-2\n");
    Map<String, Object> afterCopy = run(audit);
    assertThat(afterCopy).containsEntry("findings", 1).containsEntry("bytes_scanned", 25L);

    // the copy compressed: a third inode, the same text
    SafeGzip.compress(logs.resolve("app.log.1"), 6);
    assertThat(run(audit)).containsEntry("findings", 0).containsEntry("bytes_scanned", 0L);

    // the same first window, another ending: not a copy, read whole
    Path lookalike = logs.resolve("other.log");
    Files.writeString(
        lookalike, numbered(1, 2_000).replace("line 1999", "line 1999 password=x-secret-3"));
    Map<String, Object> other = run(audit);
    assertThat(other)
        .containsEntry("findings", 1)
        .containsEntry("bytes_scanned", Files.size(lookalike));
  }

  private static String numbered(int from, int to) {
    StringBuilder b = new StringBuilder();
    for (int i = from; i <= to; i++) {
      b.append("2026-12-02T10:00:00Z INFO order book line ").append(i).append('\n');
    }
    return b.toString();
  }

  @Test
  void redactMasksRotatedFilesInPlaceKeepingTheirModeAndMtimeAndNeverTouchesALiveOne()
      throws Exception {
    Path logs = Files.createDirectories(dir.resolve("logs"));
    Path live = logs.resolve("feed.log");
    Path rotated = logs.resolve("feed.log.1");
    Path gz = logs.resolve("feed.log.2.gz");
    Path held = logs.resolve("feed.log.3"); // a rotated name some process still writes to
    String secretLine = "login ok password=hunter2-trading user=ops\r\n";
    Files.writeString(live, secretLine);
    Files.writeString(
        rotated, "a\n" + secretLine + "b\nconfig key AKIAIOSFODNN7EXAMPLE end"); // no final newline
    Files.writeString(held, secretLine);
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(
          ("x\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nq9Zz==\n"
                  + "-----END RSA PRIVATE KEY-----\ny\n")
              .getBytes(StandardCharsets.UTF_8));
    }
    Files.setPosixFilePermissions(rotated, PosixFilePermissions.fromString("rw-r-----"));
    FileTime mtime = FileTime.from(Instant.parse("2026-11-30T08:00:00Z"));
    Files.setLastModifiedTime(rotated, mtime);
    Files.setLastModifiedTime(gz, mtime);
    Path leftover =
        Files.writeString(logs.resolve("feed.log.1" + SecretRedaction.TMP_SUFFIX), "half");
    Process writer =
        new ProcessBuilder("sleep", "60")
            .redirectOutput(ProcessBuilder.Redirect.appendTo(held.toFile()))
            .start();
    try {
      SecurityAuditAction audit = action("redact: true");
      Map<String, Object> dry = audit.run(new ActionContext("audit", true, Trigger.manual("t")));
      assertThat(dry)
          .extracting(d -> d.get("would_redact"))
          .asList()
          .containsExactlyInAnyOrder(rotated.toString(), gz.toString());
      assertThat(Files.readString(rotated)).contains("hunter2-trading");
      assertThat(leftover).exists();

      Map<String, Object> r = run(audit);
      assertThat(r)
          .containsEntry("findings", 5)
          .extracting(d -> d.get("redacted"))
          .asList()
          .containsExactlyInAnyOrder(rotated.toString(), gz.toString());
      assertThat(Files.readString(rotated))
          .isEqualTo("a\nlogin ok password=[REDACTED] user=ops\r\nb\nconfig key [REDACTED] end");
      assertThat(Files.getLastModifiedTime(rotated)).isEqualTo(mtime);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(rotated)))
          .isEqualTo("rw-r-----");
      try (var in = new GZIPInputStream(Files.newInputStream(gz))) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
            .isEqualTo(
                "x\n-----BEGIN RSA PRIVATE KEY-----\n[REDACTED]\n[REDACTED]\n"
                        .replace("-----BEGIN RSA PRIVATE KEY-----", "[REDACTED]")
                    + "-----END RSA PRIVATE KEY-----\ny\n");
      }
      assertThat(Files.getLastModifiedTime(gz)).isEqualTo(mtime);
      assertThat(Files.readString(live)).isEqualTo(secretLine);
      assertThat(Files.readString(held)).isEqualTo(secretLine);
      assertThat(leftover).doesNotExist();

      Map<String, Object> again = run(audit);
      assertThat(again)
          .as("the masked files are recorded as read: nothing to read, nothing to redact")
          .containsEntry("bytes_scanned", 0L)
          .containsEntry("redacted", List.of());
    } finally {
      writer.destroy();
      writer.waitFor();
    }
  }
}
