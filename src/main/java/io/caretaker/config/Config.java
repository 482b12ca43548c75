package io.caretaker.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The whole, validated configuration. Immutable; built only by {@link ConfigLoader}, which reports
 * every problem with its key path and line.
 */
public record Config(
    AgentConfig agent,
    ServerConfig server,
    CollectConfig collect,
    LoggingConfig logging,
    Optional<RedisConfig> redis,
    Optional<PostgresConfig> postgres,
    Optional<TlsConfig> tls,
    TradingConfig trading,
    List<RuleConfig> rules,
    Map<String, ActionConfig> actions,
    List<ScheduleConfig> schedules,
    AlertmanagerConfig alertmanager,
    MaintenanceConfig maintenance,
    int runAllAtOnce) {

  static Config read(Section root) {
    AgentConfig agent = AgentConfig.read(root.section("agent"));
    ServerConfig server = ServerConfig.read(root.section("server"));
    CollectConfig collect = CollectConfig.read(root.section("collect"));
    LoggingConfig logging = LoggingConfig.read(root.section("logging"));
    Optional<RedisConfig> redis = root.optionalSection("redis").map(RedisConfig::read);
    Optional<PostgresConfig> postgres = root.optionalSection("postgres").map(PostgresConfig::read);
    Optional<TlsConfig> tls = root.optionalSection("tls").map(TlsConfig::read);
    TradingConfig trading = TradingConfig.read(root.section("trading"));
    if (trading.usesRedis() && redis.isEmpty()) {
      root.problem("trading", "Reads Redis keys or a stream, but no redis section is configured");
    }
    // Actions first: rules, schedules and routes name them, and are checked where they do.
    Map<String, ActionConfig> actions = new LinkedHashMap<>();
    Map<String, Section> actionSections = root.namedSections("actions");
    actionSections.forEach((name, s) -> actions.put(name, ActionConfig.read(name, s)));
    checkRetentionRoots(actionSections, actions, agent);
    actions.forEach(
        (name, a) -> {
          if (redis.isEmpty() && a.spec() instanceof ActionSpec.Backup b && b.redisSnapshot()) {
            actionSections.get(name).problem("redis_snapshot", "Needs the redis section");
          }
          if (redis.isEmpty() && a.spec() instanceof ActionSpec.RedisCleanup) {
            actionSections.get(name).problem("type", "redis-cleanup needs the redis section");
          }
          if (a.spec() instanceof ActionSpec.PostgresMaintenance m
              && postgres.stream()
                  .flatMap(p -> p.databases().stream())
                  .noneMatch(d -> d.name().equals(m.database()))) {
            actionSections
                .get(name)
                .problem("database", "Names no database of the postgres section: " + m.database());
          }
        });
    Set<String> actionNames = actions.keySet();
    List<Section> ruleSections = root.sections("rules");
    Section.checkUnique(ruleSections, "name");
    List<RuleConfig> rules =
        ruleSections.stream().map(s -> RuleConfig.read(s, actionNames)).toList();
    List<Section> scheduleSections = root.sections("schedules");
    Section.checkUnique(scheduleSections, "id");
    List<ScheduleConfig> schedules =
        scheduleSections.stream().map(s -> ScheduleConfig.read(s, actionNames)).toList();
    AlertmanagerConfig alertmanager =
        AlertmanagerConfig.read(root.section("alertmanager"), actionNames);
    actions.forEach(
        (name, a) -> {
          if (a.fleet().isPresent() && redis.isEmpty()) {
            actionSections.get(name).problem("fleet", "Needs the redis section the agents share");
          }
          if (a.silence() && alertmanager.silence().isEmpty()) {
            actionSections
                .get(name)
                .problem("silence", "Needs the alertmanager.silence section (url, matchers)");
          }
        });
    MaintenanceConfig maintenance = MaintenanceConfig.read(root.section("maintenance"));
    Section executor = root.section("executor");
    int runAllAtOnce = executor.integer("max_concurrent", 2, 1, 64);
    executor.finish();
    root.finish();
    return new Config(
        agent,
        server,
        collect,
        logging,
        redis,
        postgres,
        tls,
        trading,
        rules,
        Map.copyOf(actions),
        schedules,
        alertmanager,
        maintenance,
        runAllAtOnce);
  }

  /**
   * The secrets this config holds (bearer tokens, the Redis and PostgreSQL passwords), which no
   * output kept in a run record may show.
   */
  public List<String> secrets() {
    List<String> secrets = new ArrayList<>(server.tokens());
    redis
        .flatMap(RedisConfig::credentials)
        .ifPresent(
            userInfo -> {
              secrets.add(userInfo);
              int colon = userInfo.indexOf(':');
              if (colon >= 0 && colon < userInfo.length() - 1) {
                secrets.add(userInfo.substring(colon + 1));
              }
            });
    postgres.ifPresent(p -> p.databases().forEach(d -> d.password().ifPresent(secrets::add)));
    return List.copyOf(secrets);
  }

  /**
   * A retention root must not hold, or sit inside, what other parts manage: the agent's data
   * directory, backup and report directories, or another retention action's roots.
   */
  // Long on purpose: the fence check over every pair of managed directories, in one place.
  private static void checkRetentionRoots(
      Map<String, Section> sections, Map<String, ActionConfig> all, AgentConfig agent) {
    Map<Path, String> managed = new LinkedHashMap<>();
    managed.put(PathFence.real(agent.dataDir()), "agent.data_dir");
    all.forEach(
        (name, a) -> {
          if (a.spec() instanceof ActionSpec.Backup b) {
            managed.put(PathFence.real(b.dir()), "actions." + name + ".dir");
          } else if (a.spec() instanceof ActionSpec.HealthReport h) {
            managed.put(PathFence.real(h.dir()), "actions." + name + ".dir");
          }
        });
    all.forEach(
        (name, a) -> {
          if (!(a.spec() instanceof ActionSpec.FileRetention r)) {
            return;
          }
          Section section = sections.get(name);
          for (Path root : r.roots()) {
            Path real = PathFence.real(root);
            String shown = real.equals(root) ? root.toString() : root + " (really " + real + ")";
            Optional<String> system = PathFence.systemDirectory(real);
            if (system.isPresent() && (!r.allowSystemRoot() || real.getParent() == null)) {
              section.problem(
                  "roots",
                  "Root "
                      + shown
                      + " "
                      + system.get()
                      + (real.getParent() == null
                          ? "; refused"
                          : "; refused unless allow_system_root: true"));
              continue;
            }
            managed.forEach(
                (other, owner) -> {
                  if (PathFence.overlap(real, other)) {
                    section.problem(
                        "roots",
                        "Root "
                            + shown
                            + " overlaps "
                            + owner
                            + " ("
                            + other
                            + "); a retention root must not hold or sit inside it");
                  }
                });
          }
          r.roots()
              .forEach(root -> managed.put(PathFence.real(root), "actions." + name + ".roots"));
        });
  }
}
