package io.caretaker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config that would mean something other than what it says is refused, with key and line. */
class HostileConfigTest {
  @TempDir Path dir;

  private List<String> problems(String yaml) {
    return problems(yaml, Map.of());
  }

  private List<String> problems(String yaml, Map<String, String> env) {
    try {
      ConfigLoader.parse("t.yml", yaml.replace("DATA", dir.resolve("data").toString()), env);
    } catch (ConfigException e) {
      return e.problems().stream().map(ConfigProblem::toString).toList();
    }
    throw new AssertionError("expected problems in:\n" + yaml);
  }

  private Config parse(String yaml) {
    return ConfigLoader.parse(
        "t.yml", yaml.replace("DATA", dir.resolve("data").toString()), Map.of());
  }

  @Test
  void anAliasIsRefusedInsteadOfBecomingTheAnchorsName() {
    assertThat(
            problems(
                """
        server:
          tokens: [&tok "S3cret-token-value", *tok]
        """))
        .containsExactly(
            "server.tokens[1] (t.yml:2): YAML aliases (*tok) are not"
                + " supported; write the value out");
  }

  @Test
  void anAliasedRootIsRefusedNotReadAsARelativePath() {
    assertThat(
            problems(
                """
        base: &r /var/log/app
        actions:
          logs: { type: file-retention, roots: [*r] }
        """))
        .contains(
            "actions.logs.roots[0] (t.yml:3): YAML aliases (*r) are not supported;"
                + " write the value out");
  }

  @Test
  void aSecondDocumentIsRefused() {
    assertThat(
            problems(
                """
        server: { port: 9464 }
        ---
        server: { port: 1 }
        """))
        .containsExactly(
            "t.yml:3: A second YAML document (after ---); a config file holds" + " one");
  }

  @Test
  void anUnsetVariableWithoutDefaultIsAProblemNamingTheKey() {
    assertThat(
            problems(
                """
        actions:
          x: { type: command, argv: ["${UNSET}", "/bin/rm", "-rf", "/tmp/x"] }
        """))
        .containsExactly(
            "actions.x.argv[0] (t.yml:2): Environment variable UNSET is not"
                + " set and has no default; set it, or write ${UNSET:-} for an empty value");
  }

  @Test
  void anExplicitEmptyDefaultKeepsTheArgumentInPlace() {
    Config c =
        parse(
            """
        actions:
          x: { type: command, argv: ["/bin/echo", "${UNSET:-}", "y"] }
        """);
    assertThat(((ActionSpec.Command) c.actions().get("x").spec()).argv())
        .containsExactly("/bin/echo", "", "y");
  }

  @Test
  void overflowingDurationsAreProblemsNotHugeValues() {
    assertThat(
            problems(
                """
        collect:
          interval: 99999999999999999999d
        actions:
          a: { type: health-report, cooldown: 9223372036854775807ms }
        """))
        .containsExactly(
            "collect.interval (t.yml:2): Expecting a duration of at most 3650d. Found:"
                + " \"99999999999999999999d\"",
            "actions.a.cooldown (t.yml:4): Expecting a duration of at most 3650d. Found:"
                + " \"9223372036854775807ms\"");
    assertThat(Units.parseDuration("3650d")).isEqualTo(Duration.ofDays(3650));
    assertThat(Units.parseDuration("3651d")).isNull();
  }

  @Test
  void subSecondMinIdleIsRefusedBecauseRedisIdleTimesAreWholeSeconds() {
    String yaml =
        """
        redis: { uri: "redis://127.0.0.1:1" }
        actions:
          c: { type: redis-cleanup, patterns: ["cache:*"], min_idle: %s }
        """;
    assertThat(problems(yaml.formatted("500ms")))
        .containsExactly(
            "actions.c.min_idle (t.yml:3):"
                + " Idle times have one-second resolution; expecting whole seconds like 1s or 10m."
                + " Found: \"500ms\"");
    assertThat(problems(yaml.formatted("1s500ms"))).hasSize(1);
    assertThat(
            ((ActionSpec.RedisCleanup) parse(yaml.formatted("2s")).actions().get("c").spec())
                .minIdle())
        .isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void aRootThatLinksToTheDataDirectoryIsRefused() throws Exception {
    Files.createDirectories(dir.resolve("data"));
    Path link = Files.createSymbolicLink(dir.resolve("logs"), dir.resolve("data"));
    assertThat(
            problems(
                """
        agent: { data_dir: DATA }
        actions:
          logs: { type: file-retention, roots: [%s] }
        """
                    .formatted(link)))
        .singleElement()
        .asString()
        .startsWith(
            "actions.logs.roots (t.yml:3): Root "
                + link
                + " (really "
                + dir.resolve("data").toRealPath()
                + ") overlaps agent.data_dir");
  }

  @Test
  void systemDirectoriesAreRefusedUnlessNamedExplicitly() throws Exception {
    Path toEtc = Files.createSymbolicLink(dir.resolve("etc-link"), Path.of("/etc"));
    String yaml =
        """
        agent: { data_dir: DATA }
        actions:
          a: { type: file-retention, roots: [%s] %s }
        """;
    assertThat(problems(yaml.formatted("/etc", "")))
        .containsExactly(
            "actions.a.roots (t.yml:3):"
                + " Root /etc is /etc; refused unless allow_system_root: true");
    assertThat(problems(yaml.formatted(toEtc, "")))
        .singleElement()
        .asString()
        .contains("(really /etc) is /etc; refused unless allow_system_root: true");
    for (String root :
        List.of("/usr/share", "/var/lib", "/var", "/boot", "/root", "/bin", "/sbin", "/lib")) {
      assertThat(problems(yaml.formatted(root, "")))
          .as(root)
          .singleElement()
          .asString()
          .contains("refused unless allow_system_root: true");
    }
    Config allowed = parse(yaml.formatted("/etc", ", allow_system_root: true"));
    assertThat(((ActionSpec.FileRetention) allowed.actions().get("a").spec()).allowSystemRoot())
        .isTrue();
    parse(yaml.formatted("/var/lib/app/logs", "")); // inside /var/lib is a place for app logs
  }

  @Test
  void relativeAndEmptyRootsAreRefused() {
    assertThat(
            problems(
                """
        actions:
          a: { type: file-retention, roots: [logs] }
        """))
        .containsExactly(
            "actions.a.roots (t.yml:2): Expecting an absolute path. Found:" + " \"logs\"");
    assertThat(
            problems(
                """
        actions:
          a: { type: file-retention, roots: ["${UNSET:-}"] }
        """))
        .containsExactly("actions.a.roots[0] (t.yml:2): Expecting a non-empty string");
  }

  @Test
  void aConfigOverOneMebibyteIsRefusedBeforeParsing() throws Exception {
    Path big = dir.resolve("big.yml");
    Files.writeString(
        big, "agent: { instance: \"" + "x".repeat(InputLimits.MAX_CONFIG_BYTES) + "\" }\n");
    assertThatThrownBy(() -> ConfigLoader.load(big))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            big + ": Config file too large: " + Files.size(big) + " bytes; the limit is 1048576");
    assertThatThrownBy(() -> ConfigLoader.parse("t.yml", Files.readString(big), Map.of()))
        .hasMessageContaining("Config file too large");
  }

  @Test
  void aLargeScalarJustUnderTheLimitStillParses() {
    String value = "x".repeat(InputLimits.MAX_CONFIG_BYTES - 100);
    Config c = ConfigLoader.parse("t.yml", "agent: { instance: \"" + value + "\" }\n", Map.of());
    assertThat(c.agent().instance()).hasSize(value.length());
  }

  @Test
  void anInvalidFileGlobIsAProblemNotACrashAtStart() {
    assertThat(
            problems(
                """
        agent: { data_dir: DATA }
        actions:
          a: { type: file-retention, roots: [/srv/app/logs], include: ["]s["] }
        """))
        .singleElement()
        .asString()
        .startsWith("actions.a.include (t.yml:3): Invalid glob:");
  }
}
