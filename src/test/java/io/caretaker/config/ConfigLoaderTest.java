package io.caretaker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caretaker.config.ActionSpec.JvmTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static final Map<String, String> NO_ENV = Map.of();

  private static Config parse(String yaml) {
    return ConfigLoader.parse("test.yml", yaml, NO_ENV);
  }

  private static List<String> problems(String yaml) {
    try {
      parse(yaml);
    } catch (ConfigException e) {
      return e.problems().stream().map(ConfigProblem::toString).toList();
    }
    throw new AssertionError("expected problems in:\n" + yaml);
  }

  @Test
  void embeddedDefaultMatchesTheContract() {
    Config c = ConfigLoader.parse("default", ConfigLoader.defaultText(), NO_ENV);
    assertThat(c.server().host()).isEqualTo("127.0.0.1");
    assertThat(c.server().port()).isEqualTo(9464);
    assertThat(c.server().tokens()).isEmpty();
    assertThat(c.collect().interval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.redis()).isEmpty();
    assertThat(c.rules())
        .extracting(RuleConfig::name)
        .containsExactly("cpu-high", "memory-high", "disk-full");
    assertThat(c.rules())
        .allSatisfy(r -> assertThat(r.criticalActions()).containsExactly("health-report"));
    assertThat(c.rules().get(0).forDuration()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.rules().get(2).critical()).contains(0.90);
    assertThat(c.schedules())
        .singleElement()
        .satisfies(s -> assertThat(s.every()).contains(Duration.ofHours(6)));
    assertThat(c.agent().instance()).isNotBlank();
  }

  @Test
  void configurationReferenceShowsTheEmbeddedDefaultAsItIs() throws Exception {
    assertThat(Files.readString(Path.of("docs/configuration.md")))
        .contains(ConfigLoader.defaultText());
  }

  @Test
  void defaultTakesTheTokenFromTheEnvironment() {
    Config c =
        ConfigLoader.parse(
            "default",
            ConfigLoader.defaultText(),
            Map.of("CARETAKER_TOKEN", "s3cret", "HOSTNAME", "trade-01"));
    assertThat(c.server().tokens()).containsExactly("s3cret");
    assertThat(c.agent().instance()).isEqualTo("trade-01");
  }

  @Test
  void envSubstitutionUsesValuesAndDefaults() {
    Config c =
        ConfigLoader.parse(
            "t.yml",
            """
        server:
          port: ${PORT:-9999}
          host: ${HOST}
        collect:
          interval: ${INTERVAL:-5s}
        agent:
          instance: a$$b
        """,
            Map.of("HOST", "0.0.0.0", "INTERVAL", "10s"));
    assertThat(c.server().port()).isEqualTo(9999);
    assertThat(c.server().host()).isEqualTo("0.0.0.0");
    assertThat(c.collect().interval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.agent().instance()).isEqualTo("a$b");
  }

  @Test
  void unknownKeyNamesItsPathAndLineAndSuggestsTheNearestKey() {
    assertThat(
            problems(
                """
        collect:
          interval: 5s
          intervall: 10s
        """))
        .containsExactly(
            "collect.intervall (test.yml:3): Unknown property. Did you mean \"interval\"?");
  }

  @Test
  void unknownTopLevelSection() {
    assertThat(
            problems(
                """
        server:
          port: 9464
        colect: {}
        """))
        .containsExactly("colect (test.yml:3): Unknown property. Did you mean \"collect\"?");
  }

  @Test
  void wrongTypeSaysWhatWasExpectedAndFound() {
    assertThat(
            problems(
                """
        server:
          port: high
          tokens: abc
        collect:
          filesystems: [tmpfs]
        """))
        .containsExactly(
            "server.port (test.yml:2): Expecting an integer. Found: \"high\"",
            "server.tokens (test.yml:3): Expecting a list. Found: \"abc\"",
            "collect.filesystems (test.yml:5): Expecting a mapping. Found: a list");
  }

  @Test
  void negativeAndMalformedDurationsAndSizes() {
    assertThat(
            problems(
                """
        collect:
          interval: -5s
        server:
          max_body_bytes: lots
        actions:
          logs: { type: file-retention, roots: [/var/log/app], max_total_bytes: 1 parsec }
        """))
        .containsExactly(
            "collect.interval (test.yml:2): Expecting a duration like 5s, 1m30s, 500ms or 7d."
                + " Found: \"-5s\"",
            "server.max_body_bytes (test.yml:4): Expecting a size like 1048576, 512MB or 1GiB."
                + " Found: \"lots\"",
            "actions.logs.max_total_bytes (test.yml:6): Expecting a size like 1048576, 512MB or 1GiB."
                + " Found: \"1 parsec\"");
  }

  @Test
  void outOfRangeValuesNameTheLimit() {
    assertThat(
            problems(
                """
        server:
          port: 70000
        collect:
          interval: 50ms
        """))
        .containsExactly(
            "server.port (test.yml:2): Expecting a value between 0 and 65535. Found: 70000",
            "collect.interval (test.yml:4): Expecting a duration of at least 100ms. Found: \"50ms\"");
  }

  @Test
  void timeoutLongerThanIntervalIsRejected() {
    assertThat(
            problems(
                """
        collect:
          interval: 5s
          timeout: 10s
        """))
        .containsExactly(
            "collect.timeout (test.yml:3): Expecting a duration no longer than"
                + " collect.interval (5s). Found: \"10s\"");
  }

  @Test
  void invalidYamlNamesTheLine() {
    assertThat(
            problems(
                """
        server:
          port: 9464
          tokens: [a, b
        collect: {}
        """))
        .singleElement()
        .asString()
        .startsWith("test.yml:4: Invalid YAML");
  }

  @Test
  void duplicateKeysAreReported() {
    assertThat(
            problems(
                """
        server:
          port: 1
          port: 2
        """))
        .containsExactly("port (test.yml:3): Duplicate key; first given on line 2");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    assertThat(
            problems(
                """
        server:
          port: -1
        collect:
          interval: soon
        rules:
          - { name: r, metric: host_load1, warning: 2, actions: { warning: [nope] } }
        schedules:
          - { id: s, action: missing, every: 1h }
        alertmanager:
          routes:
            - { matchers: ['alertname=="x"'], action: nope }
        """))
        .containsExactly(
            "server.port (test.yml:2): Expecting a value between 0 and 65535. Found: -1",
            "collect.interval (test.yml:4): Expecting a duration like 5s, 1m30s, 500ms or 7d."
                + " Found: \"soon\"",
            "rules[0].actions.warning (test.yml:6): Unknown action \"nope\" (none are configured)",
            "schedules[0].action (test.yml:8): Unknown action \"missing\" (none are configured)",
            "alertmanager.routes[0].matchers[0] (test.yml:11): Expecting a matcher like"
                + " alertname=\"HostDiskAlmostFull\" or severity=~\"critical|warning\"."
                + " Found: \"alertname==\"x\"\"",
            "alertmanager.routes[0].action (test.yml:11): Unknown action \"nope\""
                + " (none are configured)");
  }

  @Test
  void referencesToActionsMustResolve() {
    assertThat(
            problems(
                """
        rules:
          - { name: r, metric: host_load1, critical: 4, actions: { critical: [gc] } }
        actions:
          report: { type: health-report }
        """))
        .containsExactly(
            "rules[0].actions.critical (test.yml:2): Unknown action \"gc\""
                + " (configured: report)");
  }

  @Test
  void duplicateRuleNamesAndScheduleIdsPointAtTheSecondUse() {
    assertThat(
            problems(
                """
        actions:
          r: { type: health-report }
        rules:
          - { name: a, metric: host_load1, warning: 1 }
          - { name: a, metric: host_load5, warning: 1 }
        schedules:
          - { id: s, action: r, every: 1h }
          - { id: s, action: r, every: 2h }
        """))
        .containsExactly(
            "rules[1].name (test.yml:5): Duplicate name \"a\"; first used on line 4",
            "schedules[1].id (test.yml:8): Duplicate id \"s\"; first used on line 7");
  }

  @Test
  void ruleLevelsMustGetWorseInTheRuleDirection() {
    assertThat(
            problems(
                """
        rules:
          - { name: r, metric: host_memory_used_ratio, warning: 0.9, critical: 0.8 }
          - { name: s, metric: host_filesystem_avail_bytes, direction: below, warning: 10,
              critical: 5, clear: 2 }
        """))
        .containsExactly(
            "rules[0].critical (test.yml:2): Expecting a level at or above warning (0.9) for"
                + " direction above. Found: 0.8",
            "rules[1].clear (test.yml:4): Expecting a level that is not below the first threshold"
                + " (10.0). Found: 2.0");
  }

  @Test
  void fullContractExampleLoads(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("caretaker.yml");
    Files.writeString(
        file,
        """
        agent: { instance: trade-01, data_dir: ./data }
        server: { host: 0.0.0.0, port: 0, tokens: [t1], max_body_bytes: 2MiB }
        collect:
          interval: 5s
          filesystems: { exclude_fstypes: [tmpfs], exclude_mountpoints: ["/snap/.*"] }
          network: { exclude_interfaces: [lo, "veth.*"] }
        redis: { uri: "redis://127.0.0.1:6380/0", timeout: 2s }
        trading:
          hashes: [ { key: "trading:pnl", metric: trading_pnl_usd, label: period } ]
          heartbeats: { pattern: "heartbeat:*", label: component }
          market_data: { pattern: "md:last:*", label: symbol }
          sizes: [ { key: "positions:open", metric: trading_open_positions } ]
          events: { stream: "trading:events", group: caretaker }
          processes: [ { component: feed, match: "java .*FeedMain" } ]
          max_label_values: 1000
        rules:
          - name: memory-high
            metric: host_memory_used_ratio
            labels: {}
            warning: 0.75
            critical: 0.85
            direction: above
            for: 30s
            clear: 0.70
            actions: { warning: [], critical: [jvm-gc] }
        actions:
          jvm-gc: { type: jvm-gc, targets: [self, {pid: 42}, {main_class: "Feed.*"}], cooldown: 5m }
          cache-cleanup: { type: redis-cleanup, patterns: ["cache:*"], protect: ["position:*"],
                           min_idle: 1h, only_without_ttl: false, ttl_above: null, batch: 1000,
                           max_keys: 1000000, latency_target: 2ms, memory_purge: false,
                           cooldown: 10m }
          log-cleanup: { type: file-retention, roots: [/srv/app/logs], include: ["*.log", "*.log.*"],
                         exclude: [], compress_after: 1d, delete_after: 7d,
                         max_total_bytes: 1GiB, active_grace: 10m, compression_level: 6 }
          health-report: { type: health-report, dir: ./reports, keep: 28 }
          backup: { type: backup, sources: [./config], dir: ./backups, keep: 7,
                    redis_snapshot: false }
          restart-feed: { type: command, argv: [systemctl, restart, feed], timeout: 60s,
                          budget: { runs: 3, per: 1h } }
        schedules:
          - { id: nightly-logs, action: log-cleanup, cron: "30 2 * * *", timezone: UTC }
          - { id: hourly-cache, action: cache-cleanup, every: 1h }
        alertmanager:
          match_instance: true
          dedup_window: 10m
          routes:
            - { matchers: ['alertname="HostDiskAlmostFull"'], action: log-cleanup }
            - { matchers: ['remediate=~".+"'], action_from_label: remediate }
        maintenance:
          windows: [ { cron: "0 1 * * SAT", duration: 2h } ]
        logging: { level: debug, format: json }
        """);
    Config c = ConfigLoader.load(file);
    assertThat(c.server().maxBodyBytes()).isEqualTo(2L << 20);
    assertThat(c.actions()).hasSize(6);
    assertThat(((ActionSpec.JvmGc) c.actions().get("jvm-gc").spec()).targets())
        .hasSize(3)
        .first()
        .isInstanceOf(JvmTarget.Self.class);
    ActionSpec.FileRetention logs =
        (ActionSpec.FileRetention) c.actions().get("log-cleanup").spec();
    assertThat(logs.roots()).allSatisfy(p -> assertThat(p).isAbsolute());
    assertThat(logs.maxTotalBytes()).contains(1L << 30);
    assertThat(c.actions().get("restart-feed").budget()).isPresent();
    assertThat(c.actions().get("restart-feed").timeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(
            c.alertmanager()
                .routes()
                .get(0)
                .matchers()
                .get(0)
                .matches(Map.of("alertname", "HostDiskAlmostFull")))
        .isTrue();
    assertThat(c.trading().processes())
        .singleElement()
        .satisfies(p -> assertThat(p.match().matcher("java -cp x FeedMain").find()).isTrue());
    assertThat(c.maintenance().windows()).hasSize(1);
  }

  @Test
  void actionSettingsAreValidatedByType() {
    assertThat(
            problems(
                """
        actions:
          a: { type: file-retention, roots: [/], compression_level: 11 }
          b: { type: command }
          c: { type: teleport }
          d: { type: redis-cleanup, patterns: ["cache:*"], batches: 5 }
        """))
        .containsExactly(
            "actions.a.compression_level (test.yml:2): Expecting a value between 1 and 9. Found: 11",
            "actions.a.roots (test.yml:2): Root / is the filesystem root; refused",
            "actions.b.argv (test.yml:3): Expecting a non-empty list",
            "actions.c.type (test.yml:4): Expecting one of jvm-gc, redis-cleanup, file-retention,"
                + " log-rotation, postgres-maintenance, security-audit, health-report, report, backup, command."
                + " Found:"
                + " \"teleport\"",
            "actions.d.batches (test.yml:5): Unknown property. Did you mean \"batch\"?",
            "actions.d.type (test.yml:5): redis-cleanup needs the redis section");
  }

  @Test
  void retentionPatternsStayInsideTheRootAndRootsDoNotOverlapManagedDirectories() {
    assertThat(
            problems(
                """
        agent: { data_dir: /srv/app/caretaker }
        actions:
          logs: { type: file-retention, roots: [/srv/app], include: ["../*.log", "/etc/*"] }
          more: { type: file-retention, roots: [/srv/app/logs] }
        """))
        .containsExactly(
            "actions.logs.include (test.yml:3): Patterns match inside each root; no absolute paths"
                + " or \"..\". Found: \"../*.log\"",
            "actions.logs.include (test.yml:3): Patterns match inside each root; no absolute paths"
                + " or \"..\". Found: \"/etc/*\"",
            "actions.logs.roots (test.yml:3): Root /srv/app overlaps agent.data_dir"
                + " (/srv/app/caretaker); a retention root must not hold or sit inside it",
            "actions.more.roots (test.yml:4): Root /srv/app/logs overlaps actions.logs.roots"
                + " (/srv/app); a retention root must not hold or sit inside it");
  }

  @Test
  void cronAndMatcherSyntaxAreChecked() {
    assertThat(
            problems(
                """
        actions:
          r: { type: health-report }
        schedules:
          - { id: a, action: r, cron: "61 * * * *" }
          - { id: b, action: r }
        alertmanager:
          routes:
            - { matchers: ['alertname=~"(unclosed"'], action: r }
        """))
        .satisfiesExactly(
            p ->
                assertThat(p).startsWith("schedules[0].cron (test.yml:4): Invalid cron expression"),
            p ->
                assertThat(p)
                    .isEqualTo(
                        "schedules[1].cron (test.yml:5): Expecting exactly one of cron or every"),
            p ->
                assertThat(p)
                    .startsWith(
                        "alertmanager.routes[0].matchers[0] (test.yml:8): Invalid regular expression"));
  }

  @Test
  void tradingKeysNeedRedis() {
    assertThat(
            problems(
                """
        trading:
          heartbeats: { pattern: "hb:*" }
        """))
        .containsExactly(
            "trading (test.yml:2): Reads Redis keys or a stream, but no redis section is configured");
  }

  @Test
  void unreadableFileIsOneClearProblem(@TempDir Path dir) {
    Path missing = dir.resolve("nope.yml");
    assertThatThrownBy(() -> ConfigLoader.load(missing))
        .isInstanceOf(ConfigException.class)
        .hasMessage(missing + ": Cannot read config file: no such file (" + missing + ")");
  }

  @Test
  void emptyFileMeansAllDefaults() {
    Config c = parse("");
    assertThat(c.server().port()).isEqualTo(9464);
    assertThat(c.rules()).isEmpty();
  }

  @Test
  void theEmbeddedDefaultListensOnLoopback9464UnlessCaretakerPortSaysOtherwise() {
    String text = ConfigLoader.defaultText();
    assertThat(ConfigLoader.parse("d", text, Map.of()).server().port()).isEqualTo(9464);
    assertThat(ConfigLoader.parse("d", text, Map.of()).server().host()).isEqualTo("127.0.0.1");
    assertThat(ConfigLoader.parse("d", text, Map.of("CARETAKER_PORT", "19464")).server().port())
        .isEqualTo(19464);
  }
}
