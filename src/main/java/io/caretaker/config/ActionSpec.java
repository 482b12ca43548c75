package io.caretaker.config;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

// One file on purpose: every action type's settings and their reader, the config reference's table
// in code.
/** The settings of one action type (docs/configuration.md); paths are absolute after loading. */
public sealed interface ActionSpec {
  List<String> TYPES =
      List.of(
          "jvm-gc",
          "redis-cleanup",
          "file-retention",
          "log-rotation",
          "postgres-maintenance",
          "security-audit",
          "health-report",
          "report",
          "backup",
          "command");

  /** Which JVMs to collect: this agent, a pid, local JVMs by main class, or a JMX URL. */
  sealed interface JvmTarget {
    /** How the target reads in run records ("pid 42", "main_class Feed.*"). */
    String describe();

    record Self() implements JvmTarget {
      public String describe() {
        return "self";
      }
    }

    record Pid(long pid) implements JvmTarget {
      public String describe() {
        return "pid " + pid;
      }
    }

    record MainClass(Pattern regex) implements JvmTarget {
      public String describe() {
        return "main_class " + regex;
      }
    }

    record Jmx(String url) implements JvmTarget {
      public String describe() {
        return "jmx " + url;
      }
    }
  }

  record JvmGc(List<JvmTarget> targets) implements ActionSpec {}

  record RedisCleanup(
      List<String> patterns,
      List<String> protect,
      Duration minIdle,
      boolean onlyWithoutTtl,
      Optional<Duration> ttlAbove,
      int batch,
      long maxKeys,
      Duration latencyTarget,
      boolean memoryPurge)
      implements ActionSpec {}

  record FileRetention(
      List<Path> roots,
      boolean allowSystemRoot,
      List<String> include,
      List<String> exclude,
      Optional<Duration> compressAfter,
      Optional<Duration> deleteAfter,
      Optional<Long> maxTotalBytes,
      Duration activeGrace,
      int compressionLevel)
      implements ActionSpec {}

  /** How a live log leaves its name: renamed (the writer reopens) or copied and cut. */
  enum RotationMethod {
    RENAME,
    COPYTRUNCATE;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** How the writer of a renamed log is told to reopen it: a signal, or a command (no shell). */
  sealed interface Reopen {
    /**
     * {@code signal} to the pid in {@code pidfile}, or to every process {@code process} matches.
     */
    record Signal(Optional<Path> pidfile, Optional<Pattern> process, String signal)
        implements Reopen {}

    record Command(List<String> argv) implements Reopen {}
  }

  /** The new empty live file after a rename, for writers that do not create their own. */
  record Create(Optional<Integer> mode, Optional<String> owner, Optional<String> group) {}

  record LogRotation(
      List<Path> roots,
      boolean allowSystemRoot,
      List<String> include,
      List<String> exclude,
      Optional<Long> maxSize,
      long minSize,
      RotationMethod method,
      Optional<Reopen> reopen,
      Optional<Create> create,
      int keep,
      boolean compress,
      int compressDelay)
      implements ActionSpec {}

  /** Old rows of one table, deleted in batches by primary key. */
  record Retention(String table, String column, Duration olderThan, int batch) {}

  record PostgresMaintenance(
      String database,
      double vacuumDeadRatio,
      long vacuumDeadTuples,
      Optional<Duration> vacuumOlderThan,
      Optional<Duration> analyzeOlderThan,
      List<String> vacuumFull,
      List<String> reindex,
      Optional<Double> reindexBloat,
      long reindexMinBytes,
      List<Retention> retention,
      long maxRows,
      long maxReplicationLagBytes,
      Duration maxPause,
      Duration lockTimeout,
      Duration statementTimeout,
      Duration busyTransaction)
      implements ActionSpec {}

  /**
   * Secrets in log files: the files of {@code roots} matching {@code include} (plain or .gz),
   * scanned for the built-in kinds and the {@code patterns} given (name → regex whose first group,
   * or whole match, is the secret); findings whose fingerprint or {@code path:line} is in {@code
   * allow} are not reported; {@code redact} masks the secrets of rotated files in place.
   */
  record SecurityAudit(
      List<Path> roots,
      boolean allowSystemRoot,
      List<String> include,
      Map<String, Pattern> patterns,
      List<String> allow,
      List<String> privateFiles,
      List<String> owners,
      boolean fix,
      boolean redact)
      implements ActionSpec {}

  record HealthReport(Path dir, int keep) implements ActionSpec {}

  /** The type "report": a period's report written to {@code dir}, the newest {@code keep} kept. */
  record PeriodReport(Path dir, String period, String format, int keep) implements ActionSpec {}

  record Backup(List<Path> sources, Path dir, int keep, boolean redisSnapshot)
      implements ActionSpec {}

  /** An argv run without a shell; {@code env} is its environment beside PATH, LANG and HOME. */
  record Command(List<String> argv, Map<String, String> env, Optional<Path> workdir)
      implements ActionSpec {}

  /** Reads the type's own keys from the action's section; unknown types read nothing. */
  static ActionSpec read(String type, Section s) {
    return switch (type) {
      case "jvm-gc" -> new JvmGc(targets(s));
      case "redis-cleanup" -> redisCleanup(s);
      case "file-retention" ->
          new FileRetention(
              roots(s),
              s.bool("allow_system_root", false),
              patterns(s, "include", List.of("*.log", "*.log.*")),
              patterns(s, "exclude", List.of()),
              s.optionalDuration("compress_after"),
              s.optionalDuration("delete_after"),
              s.optionalBytes("max_total_bytes"),
              s.duration("active_grace", Duration.ofMinutes(10), Duration.ZERO),
              s.integer("compression_level", 6, 1, 9));
      case "log-rotation" -> logRotation(s);
      case "postgres-maintenance" -> postgresMaintenance(s);
      case "security-audit" -> securityAudit(s);
      case "health-report" ->
          new HealthReport(path(s.string("dir", "./reports")), s.integer("keep", 28, 1, 100_000));
      case "report" ->
          new PeriodReport(
              path(s.string("dir", "./reports")),
              s.choice("period", "daily", List.of("daily", "weekly")),
              s.choice("format", "html", List.of("html", "csv", "json")),
              s.integer("keep", 14, 1, 100_000));
      case "backup" ->
          new Backup(
              nonEmpty(s, "sources", s.strings("sources", List.of())).stream()
                  .map(ActionSpec::path)
                  .toList(),
              path(s.requiredString("dir")),
              s.integer("keep", 7, 1, 100_000),
              s.bool("redis_snapshot", false));
      case "command" ->
          new Command(
              nonEmpty(s, "argv", s.stringsAllowingEmpty("argv", List.of())),
              s.stringMap("env"),
              s.optionalString("workdir").map(ActionSpec::path));
      default -> null;
    };
  }

  /** Signals a writer may be sent to reopen its log; never one that stops or kills it. */
  List<String> REOPEN_SIGNALS = List.of("HUP", "USR1", "USR2");

  // Long on purpose: the keys of one action type and the checks between them, in config order.
  private static LogRotation logRotation(Section s) {
    RotationMethod method =
        RotationMethod.valueOf(
            s.choice("method", "rename", List.of("rename", "copytruncate"))
                .toUpperCase(Locale.ROOT));
    Optional<Reopen> reopen = Optional.empty();
    if (s.has("signal") && s.has("command")) {
      s.problem("command", "Expecting signal or command, not both");
    } else if (s.has("signal")) {
      Section sig = s.section("signal");
      Optional<Path> pidfile = sig.optionalString("pidfile").map(ActionSpec::path);
      Optional<Pattern> process = sig.optionalRegex("process");
      if (pidfile.isPresent() == sig.has("process")) {
        sig.problem("pidfile", sig.line(), "Expecting exactly one of pidfile or process");
      }
      String name = sig.choice("signal", "HUP", REOPEN_SIGNALS);
      sig.finish();
      reopen = Optional.of(new Reopen.Signal(pidfile, process, name));
    } else if (s.has("command")) {
      reopen =
          Optional.of(new Reopen.Command(nonEmpty(s, "command", s.strings("command", List.of()))));
    }
    Optional<Create> create =
        s.optionalSection("create")
            .map(
                c -> {
                  Optional<Integer> mode =
                      c.optionalString("mode")
                          .flatMap(
                              m -> {
                                if (!m.matches("0?[0-7]{3}")) {
                                  c.problem(
                                      "mode",
                                      "Expecting an octal mode like 0640. Found: \"" + m + "\"");
                                  return Optional.empty();
                                }
                                return Optional.of(Integer.parseInt(m, 8));
                              });
                  Create parsed =
                      new Create(mode, c.optionalString("owner"), c.optionalString("group"));
                  c.finish();
                  return parsed;
                });
    if (method == RotationMethod.COPYTRUNCATE && (reopen.isPresent() || create.isPresent())) {
      s.problem(
          "method",
          "copytruncate keeps the live file: signal, command and create apply to rename only");
    }
    return new LogRotation(
        roots(s),
        s.bool("allow_system_root", false),
        patterns(s, "include", List.of("*.log")),
        patterns(s, "exclude", List.of()),
        s.optionalBytes("max_size"),
        s.bytes("min_size", 1, 0),
        method,
        reopen,
        create,
        s.integer("keep", 7, 1, 100_000),
        s.bool("compress", true),
        s.integer("compress_delay", 1, 0, 100));
  }

  // Long on purpose: the keys of one action type, in config order.
  private static PostgresMaintenance postgresMaintenance(Section s) {
    String database = s.requiredString("database");
    Section vacuum = s.section("vacuum");
    double deadRatio = vacuum.number("dead_ratio", 0.2);
    if (deadRatio < 0 || deadRatio > 1) {
      vacuum.problem("dead_ratio", "Expecting a share from 0 to 1. Found: " + deadRatio);
    }
    long deadTuples = vacuum.integer("dead_tuples", 10_000, 0, Integer.MAX_VALUE);
    Optional<Duration> vacuumOlder = vacuum.optionalDuration("older_than");
    List<String> full = vacuum.strings("full", List.of());
    vacuum.finish();
    Section analyze = s.section("analyze");
    Optional<Duration> analyzeOlder = analyze.optionalDuration("older_than");
    analyze.finish();
    Optional<Double> reindexBloat = s.optionalNumber("reindex_bloat");
    reindexBloat
        .filter(b -> b <= 0 || b >= 1)
        .ifPresent(
            b -> s.problem("reindex_bloat", "Expecting a share between 0 and 1. Found: " + b));
    List<Retention> retention = new ArrayList<>();
    for (Section r : s.sections("retention")) {
      retention.add(
          new Retention(
              r.requiredString("table"),
              r.requiredString("column"),
              r.duration("older_than", Duration.ofDays(365), Duration.ofSeconds(1)),
              r.integer("batch", 1000, 1, 100_000)));
      r.finish();
    }
    return new PostgresMaintenance(
        database,
        deadRatio,
        deadTuples,
        vacuumOlder,
        analyzeOlder,
        full,
        s.strings("reindex", List.of()),
        reindexBloat,
        s.bytes("reindex_min_size", 1L << 20, 0),
        List.copyOf(retention),
        s.integer("max_rows", 1_000_000, 1, Integer.MAX_VALUE),
        s.bytes("max_replication_lag", 64L << 20, 0),
        s.duration("max_pause", Duration.ofMinutes(5), Duration.ZERO),
        s.duration("lock_timeout", Duration.ofSeconds(2), Duration.ofMillis(1)),
        s.duration("statement_timeout", Duration.ofMinutes(10), Duration.ofMillis(1)),
        s.duration("busy_transaction", Duration.ofMinutes(10), Duration.ofSeconds(1)));
  }

  private static SecurityAudit securityAudit(Section s) {
    Map<String, Pattern> patterns = new LinkedHashMap<>();
    Section custom = s.section("patterns");
    for (String name : custom.keyNames()) {
      custom.optionalRegex(name).ifPresent(p -> patterns.put(name, p));
    }
    custom.finish();
    return new SecurityAudit(
        roots(s),
        s.bool("allow_system_root", false),
        patterns(s, "include", List.of("*.log", "*.log.*")),
        Map.copyOf(patterns),
        s.strings("allow", List.of()),
        privateGlobs(s),
        s.strings("owners", List.of()),
        s.bool("fix", false),
        s.bool("redact", false));
  }

  /** Absolute globs of files that must be private (no group or other permission). */
  private static List<String> privateGlobs(Section s) {
    List<String> globs = s.strings("private", List.of());
    for (String g : globs) {
      if (!g.startsWith("/")) {
        s.problem(
            "private", "Expecting absolute globs like /etc/trading/*.key. Found: \"" + g + "\"");
      } else {
        try {
          FileSystems.getDefault().getPathMatcher("glob:" + g);
        } catch (PatternSyntaxException e) {
          s.problem("private", "Invalid glob: " + e.getDescription() + ". Found: \"" + g + "\"");
        }
      }
    }
    return globs;
  }

  private static RedisCleanup redisCleanup(Section s) {
    RedisCleanup spec =
        new RedisCleanup(
            nonEmpty(s, "patterns", s.strings("patterns", List.of())),
            s.strings("protect", List.of()),
            wholeSeconds(s, "min_idle"),
            s.bool("only_without_ttl", false),
            s.optionalDuration("ttl_above"),
            s.integer("batch", 1000, 10, 10_000),
            s.integer("max_keys", 1_000_000, 1, Integer.MAX_VALUE),
            s.duration("latency_target", Duration.ofMillis(2), Duration.ofMillis(1)),
            s.bool("memory_purge", false));
    for (String p : spec.patterns()) {
      if (p.isEmpty()) {
        s.problem("patterns", "Expecting a Redis glob such as \"cache:*\"; found an empty one");
      }
    }
    if (spec.onlyWithoutTtl() && spec.ttlAbove().isPresent()) {
      s.problem(
          "ttl_above",
          "Cannot be combined with only_without_ttl: true (keys without a TTL"
              + " have none to be above)");
    }
    return spec;
  }

  private static List<JvmTarget> targets(Section s) {
    List<JvmTarget> targets = new ArrayList<>();
    for (var item : s.items("targets")) {
      String key = "targets[" + item.getKey() + "]";
      if (item.getValue() instanceof ConfigNode.Scalar scalar && "self".equals(scalar.text())) {
        targets.add(new JvmTarget.Self());
        continue;
      }
      Section t = s.asSection(item.getValue(), key);
      if (t.has("pid")) {
        targets.add(new JvmTarget.Pid(t.integer("pid", 0, 1, Integer.MAX_VALUE)));
      } else if (t.has("main_class")) {
        t.optionalRegex("main_class").ifPresent(r -> targets.add(new JvmTarget.MainClass(r)));
      } else if (t.has("jmx")) {
        targets.add(new JvmTarget.Jmx(t.requiredString("jmx")));
      } else if (item.getValue() instanceof ConfigNode.MapNode) {
        s.problem(
            key,
            item.getValue().line(),
            "Expecting self, {pid: N}, {main_class: REGEX} or {jmx: URL}");
      }
      t.finish();
    }
    return targets.isEmpty() ? List.of(new JvmTarget.Self()) : List.copyOf(targets);
  }

  /**
   * Redis reports idle times in whole seconds and the cleanup script reads 0 as "no idle filter",
   * so 500ms would delete recently used keys: only whole seconds are accepted.
   */
  private static Duration wholeSeconds(Section s, String key) {
    Duration d = s.duration(key, Duration.ZERO, Duration.ZERO);
    if (d.toMillis() % 1000 != 0) {
      s.problem(
          key,
          "Idle times have one-second resolution; expecting whole seconds like 1s"
              + " or 10m. Found: "
              + s.found(key));
    }
    return d;
  }

  /** Absolute paths only: a relative root would depend on where the agent was started. */
  private static List<Path> roots(Section s) {
    List<String> texts = nonEmpty(s, "roots", s.strings("roots", List.of()));
    List<Path> roots = new ArrayList<>();
    for (String text : texts) {
      if (text.isEmpty()) {
        continue; // reported by strings()
      }
      if (!Path.of(text).isAbsolute()) {
        s.problem("roots", "Expecting an absolute path. Found: \"" + text + "\"");
      }
      roots.add(path(text));
    }
    return List.copyOf(roots);
  }

  /** Globs relative to a root: never absolute, never climbing out with "..". */
  private static List<String> patterns(Section s, String key, List<String> def) {
    List<String> patterns = s.strings(key, def);
    for (String p : patterns) {
      if (p.startsWith("/") || Arrays.asList(p.split("/")).contains("..")) {
        s.problem(
            key,
            "Patterns match inside each root; no absolute paths or \"..\". Found: \"" + p + "\"");
      }
      try {
        FileSystems.getDefault().getPathMatcher("glob:" + p);
      } catch (PatternSyntaxException e) {
        s.problem(key, "Invalid glob: " + e.getDescription() + ". Found: \"" + p + "\"");
      }
    }
    return patterns;
  }

  private static <T> List<T> nonEmpty(Section s, String key, List<T> values) {
    if (values.isEmpty()) {
      s.problem(key, "Expecting a non-empty list");
    }
    return values;
  }

  private static Path path(String text) {
    return Path.of(text).toAbsolutePath().normalize();
  }
}
