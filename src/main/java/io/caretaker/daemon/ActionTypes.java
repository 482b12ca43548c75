package io.caretaker.daemon;

import io.caretaker.actions.Action;
import io.caretaker.actions.ActionFailure;
import io.caretaker.actions.CommandAction;
import io.caretaker.actions.FleetAction;
import io.caretaker.actions.HealthReportAction;
import io.caretaker.actions.HealthSummary;
import io.caretaker.actions.JvmGcAction;
import io.caretaker.actions.Redactor;
import io.caretaker.actions.ReportAction;
import io.caretaker.actions.RunLog;
import io.caretaker.actions.files.BackupAction;
import io.caretaker.actions.files.FileRetentionAction;
import io.caretaker.actions.files.LogRotationAction;
import io.caretaker.actions.files.SecurityAuditAction;
import io.caretaker.actions.postgres.PostgresMaintenanceAction;
import io.caretaker.actions.redis.RedisCleanupAction;
import io.caretaker.config.ActionConfig;
import io.caretaker.config.ActionSpec;
import io.caretaker.config.PostgresConfig;
import io.caretaker.redis.RedisConnection;
import io.caretaker.store.AuditSalt;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Every action type in one table: the config's type name and how its action is built (the action
 * itself declares the figures it reports). Adding a type: its {@link ActionSpec} record and reader,
 * a line here, and its own files. The config's type names and this table are checked against each
 * other by ActionTypesTest.
 */
public final class ActionTypes {
  /** What the actions of a daemon are built from. */
  public record Parts(
      Supplier<HealthSummary> health,
      RunLog history,
      List<String> actionNames,
      String instance,
      Clock clock,
      PrometheusRegistry registry,
      Optional<RedisConnection> redis,
      Optional<PostgresConfig> postgres,
      Path dataDir,
      Redactor redactor,
      ReportAction.Renderer reports) {}

  /** Builds one configured action of a type. */
  private interface Factory {
    Action create(String name, ActionSpec spec, Built p);
  }

  /** The parts, and the metrics of the types that have their own, when configured. */
  private record Built(
      Parts parts,
      Optional<BackupGauges> backupGauges,
      Optional<RotationCounters> rotations,
      Optional<AuditMetrics> audit) {
    Clock clock() {
      return parts.clock();
    }

    String instance() {
      return parts.instance();
    }

    Optional<RedisConnection> redis() {
      return parts.redis();
    }
  }

  private static final Map<String, Factory> TYPES = new LinkedHashMap<>();

  static {
    TYPES.put("jvm-gc", (name, spec, p) -> new JvmGcAction(((ActionSpec.JvmGc) spec).targets()));
    TYPES.put(
        "redis-cleanup",
        (name, spec, p) ->
            p.redis()
                .<Action>map(
                    r ->
                        new RedisCleanupAction(
                            name, (ActionSpec.RedisCleanup) spec, r, p.instance()))
                .orElseGet(() -> needsRedis("redis-cleanup")));
    TYPES.put(
        "file-retention",
        (name, spec, p) -> {
          FileRetentionAction files =
              new FileRetentionAction(
                  (ActionSpec.FileRetention) spec, p.clock(), p.parts().dataDir());
          files.removeLeftovers(); // a crash mid-compression leaves name.gz.tmp beside the original
          return files;
        });
    TYPES.put(
        "log-rotation",
        (name, spec, p) ->
            new LogRotationAction(
                name,
                (ActionSpec.LogRotation) spec,
                p.clock(),
                p.parts().dataDir(),
                p.parts().redactor(),
                p.rotations().orElseThrow().rotations(),
                p.rotations().orElseThrow().bytesAtRisk()));
    TYPES.put(
        "postgres-maintenance",
        (name, spec, p) -> {
          ActionSpec.PostgresMaintenance m = (ActionSpec.PostgresMaintenance) spec;
          PostgresConfig pg = p.parts().postgres().orElseThrow(); // the config checked it is there
          return new PostgresMaintenanceAction(
              m,
              pg.databases().stream()
                  .filter(d -> d.name().equals(m.database()))
                  .findFirst()
                  .orElseThrow(),
              pg.timeout());
        });
    TYPES.put(
        "security-audit",
        (name, spec, p) ->
            new SecurityAuditAction(
                name,
                (ActionSpec.SecurityAudit) spec,
                p.parts().dataDir(),
                AuditSalt.of(p.parts().dataDir()),
                p.audit().orElseThrow().findings(),
                p.audit().orElseThrow().scanned()));
    TYPES.put(
        "health-report",
        (name, spec, p) ->
            new HealthReportAction(
                (ActionSpec.HealthReport) spec,
                p.parts().health(),
                p.parts().history(),
                p.parts().actionNames(),
                p.instance(),
                p.clock()));
    TYPES.put(
        "report",
        (name, spec, p) ->
            new ReportAction((ActionSpec.PeriodReport) spec, p.parts().reports(), p.clock()));
    TYPES.put(
        "backup",
        (name, spec, p) -> {
          BackupGauges gauges = p.backupGauges().orElseThrow();
          BackupAction archives =
              new BackupAction(
                  name,
                  (ActionSpec.Backup) spec,
                  p.clock(),
                  gauges.lastSuccess(),
                  gauges.size(),
                  p.redis());
          archives.removeLeftovers(); // a stop mid-backup leaves name-<stamp>.tar.gz.tmp
          archives.publishNewestArchive(); // the gauges outlive a restart
          return archives;
        });
    TYPES.put(
        "command",
        (name, spec, p) -> new CommandAction((ActionSpec.Command) spec, p.parts().redactor()));
  }

  private ActionTypes() {}

  /** The type names this table builds. */
  public static Set<String> names() {
    return TYPES.keySet();
  }

  /** Builds every configured action. */
  public static Map<String, Action> create(Map<String, ActionConfig> configs, Parts parts) {
    boolean backups =
        configs.values().stream().anyMatch(c -> c.spec() instanceof ActionSpec.Backup);
    boolean rotations =
        configs.values().stream().anyMatch(c -> c.spec() instanceof ActionSpec.LogRotation);
    Built built =
        new Built(
            parts,
            backups ? Optional.of(BackupGauges.register(parts.registry())) : Optional.empty(),
            rotations ? Optional.of(RotationCounters.register(parts.registry())) : Optional.empty(),
            configs.values().stream().anyMatch(c -> c.spec() instanceof ActionSpec.SecurityAudit)
                ? Optional.of(AuditMetrics.register(parts.registry()))
                : Optional.empty());
    Map<String, Action> actions = new LinkedHashMap<>();
    configs.forEach(
        (name, config) -> {
          Action action = TYPES.get(config.type()).create(name, config.spec(), built);
          if (config.fleet().isPresent()) {
            // Config requires the redis section for a fleet action.
            action =
                new FleetAction(
                    action,
                    config.fleet().get(),
                    parts.redis().orElseThrow(),
                    config.timeout(),
                    parts.instance());
          }
          actions.put(name, action);
        });
    return actions;
  }

  private static Action needsRedis(String type) {
    return ctx -> {
      throw new ActionFailure("the " + type + " action needs the redis section", Map.of());
    };
  }

  /** The log-rotation action type's own metrics, shared by every log-rotation action. */
  private record RotationCounters(Counter rotations, Counter bytesAtRisk) {
    static RotationCounters register(PrometheusRegistry registry) {
      return new RotationCounters(
          Counter.builder()
              .name("caretaker_log_rotations_total")
              .help("Live logs rotated, by log-rotation action (set) and method.")
              .labelNames("set", "method")
              .register(registry),
          Counter.builder()
              .name("caretaker_log_rotation_at_risk_bytes")
              .help(
                  "Bytes a copytruncate fallback (no collapse-range on the filesystem) may have"
                      + " lost: appended between its last copy and the truncate.")
              .unit(Unit.BYTES)
              .labelNames("set")
              .register(registry));
    }
  }

  /** The security-audit action type's own metrics. */
  private record AuditMetrics(Gauge findings, Counter scanned) {
    static AuditMetrics register(PrometheusRegistry registry) {
      return new AuditMetrics(
          Gauge.builder()
              .name("caretaker_security_findings")
              .help("Secrets the last security-audit run found in what it read, by kind.")
              .labelNames("action", "kind")
              .register(registry),
          Counter.builder()
              .name("caretaker_security_scanned_bytes")
              .help("Bytes of log files security-audit runs have read.")
              .unit(Unit.BYTES)
              .labelNames("action")
              .register(registry));
    }
  }

  /** The backup action type's own metrics, shared by every backup action. */
  private record BackupGauges(Gauge lastSuccess, Gauge size) {
    static BackupGauges register(PrometheusRegistry registry) {
      return new BackupGauges(
          Gauge.builder()
              .name("caretaker_backup_last_success_timestamp_seconds")
              .help("When the backup action last wrote a verified archive, unix seconds.")
              .unit(Unit.SECONDS)
              .labelNames("action")
              .register(registry),
          Gauge.builder()
              .name("caretaker_backup_size_bytes")
              .help("Size of the backup action's newest verified archive.")
              .unit(Unit.BYTES)
              .labelNames("action")
              .register(registry));
    }
  }
}
