package io.caretaker.config;

import java.util.HashSet;
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
    TradingConfig trading,
    List<RuleConfig> rules,
    Map<String, ActionConfig> actions,
    List<ScheduleConfig> schedules,
    AlertmanagerConfig alertmanager,
    MaintenanceConfig maintenance) {

  static Config read(Section root, String defaultInstance) {
    AgentConfig agent = AgentConfig.read(root.section("agent"), defaultInstance);
    ServerConfig server = ServerConfig.read(root.section("server"));
    CollectConfig collect = CollectConfig.read(root.section("collect"));
    LoggingConfig logging = LoggingConfig.read(root.section("logging"));
    Optional<RedisConfig> redis = root.optionalSection("redis").map(RedisConfig::read);
    TradingConfig trading = TradingConfig.read(root.section("trading"));
    if (trading.usesRedis() && redis.isEmpty()) {
      root.problem("trading", "Reads Redis keys or a stream, but no redis section is configured");
    }
    List<RuleConfig> rules = root.sections("rules").stream().map(RuleConfig::read).toList();
    Map<String, ActionConfig> actions = new LinkedHashMap<>();
    root.namedSections("actions").forEach((name, s) -> actions.put(name, ActionConfig.read(name,
        s)));
    List<ScheduleConfig> schedules =
        root.sections("schedules").stream().map(ScheduleConfig::read).toList();
    AlertmanagerConfig alertmanager = AlertmanagerConfig.read(root.section("alertmanager"));
    MaintenanceConfig maintenance = MaintenanceConfig.read(root.section("maintenance"));
    root.finish();

    Config config = new Config(agent, server, collect, logging, redis, trading, rules,
        Map.copyOf(actions), schedules, alertmanager, maintenance);
    config.checkReferences(root);
    return config;
  }

  /** Names that point elsewhere must resolve: rule and route actions, schedule actions, ids. */
  private void checkReferences(Section root) {
    Set<String> ruleNames = new HashSet<>();
    for (int i = 0; i < rules.size(); i++) {
      RuleConfig rule = rules.get(i);
      String at = "rules[" + i + "]";
      if (!rule.name().isEmpty() && !ruleNames.add(rule.name())) {
        root.problem(at + ".name", "Duplicate rule name \"" + rule.name() + "\"");
      }
      rule.warningActions().forEach(a -> checkAction(root, at + ".actions.warning", a));
      rule.criticalActions().forEach(a -> checkAction(root, at + ".actions.critical", a));
    }
    Set<String> scheduleIds = new HashSet<>();
    for (int i = 0; i < schedules.size(); i++) {
      ScheduleConfig schedule = schedules.get(i);
      if (!schedule.id().isEmpty() && !scheduleIds.add(schedule.id())) {
        root.problem("schedules[" + i + "].id", "Duplicate schedule id \"" + schedule.id() + "\"");
      }
      checkAction(root, "schedules[" + i + "].action", schedule.action());
    }
    for (int i = 0; i < alertmanager.routes().size(); i++) {
      String at = "alertmanager.routes[" + i + "].action";
      alertmanager.routes().get(i).action().ifPresent(a -> checkAction(root, at, a));
    }
  }

  private void checkAction(Section root, String path, String action) {
    if (!action.isEmpty() && !actions.containsKey(action)) {
      String known = actions.isEmpty() ? "none are configured" : "configured: "
          + String.join(", ", actions.keySet().stream().sorted().toList());
      root.problem(path, "Unknown action \"" + action + "\" (" + known + ")");
    }
  }
}
