package io.caretaker.daemon;

import io.caretaker.config.ActionConfig;
import io.caretaker.config.ActionSpec;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import io.caretaker.redis.RedisConnection;
import java.util.function.Supplier;
import io.caretaker.actions.Action;
import io.caretaker.actions.ActionFailure;
import io.caretaker.actions.CommandAction;
import io.caretaker.actions.HealthReportAction;
import io.caretaker.actions.JvmGcAction;
import io.caretaker.actions.Redactor;
import io.caretaker.actions.files.BackupAction;
import io.caretaker.actions.files.FileRetentionAction;
import io.caretaker.actions.redis.RedisCleanupAction;
import io.caretaker.actions.HealthSummary;
import io.caretaker.actions.RunLog;

/** Builds the configured actions, in one place: which type is which class. */
public final class ActionTypes {
  private ActionTypes() {}

  public static Map<String, Action> create(Map<String, ActionConfig> configs,
      Supplier<HealthSummary> health, RunLog history, String instance, Clock clock,
      PrometheusRegistry registry, Optional<RedisConnection> redis, java.nio.file.Path dataDir,
      Redactor redactor) {
    Map<String, Action> actions = new LinkedHashMap<>();
    Gauge backupSuccess = Gauge.builder()
        .name("caretaker_backup_last_success_timestamp_seconds")
        .help("When the backup action last wrote a verified archive, unix seconds.")
        .unit(Unit.SECONDS).labelNames("action").register(registry);
    Gauge backupSize = Gauge.builder().name("caretaker_backup_size_bytes")
        .help("Size of the backup action's newest verified archive.")
        .unit(Unit.BYTES).labelNames("action").register(registry);
    List<String> names = List.copyOf(configs.keySet());
    configs.forEach((name, config) -> {
      ActionSpec spec = config.spec();
      Action action;
      if (spec instanceof ActionSpec.JvmGc gc) {
        action = new JvmGcAction(gc.targets());
      } else if (spec instanceof ActionSpec.Command command) {
        action = new CommandAction(command, redactor);
      } else if (spec instanceof ActionSpec.FileRetention retention) {
        FileRetentionAction files = new FileRetentionAction(retention, clock, dataDir);
        files.removeLeftovers(); // a crash mid-compression leaves name.gz.tmp beside the original
        action = files;
      } else if (spec instanceof ActionSpec.Backup backup) {
        BackupAction archives = new BackupAction(name, backup, clock, backupSuccess, backupSize,
            redis);
        archives.removeLeftovers(); // a stop mid-backup leaves name-<stamp>.tar.gz.tmp
        action = archives;
      } else if (spec instanceof ActionSpec.RedisCleanup cleanup && redis.isPresent()) {
        action = new RedisCleanupAction(name, cleanup, redis.get(), instance);
      } else if (spec instanceof ActionSpec.HealthReport report) {
        action = new HealthReportAction(report, health, history, names, instance, clock);
      } else {
        action = ctx -> {
          throw new ActionFailure("the " + config.type() + " action needs the redis section",
              Map.of());
        };
      }
      actions.put(name, action);
    });
    return actions;
  }
}
