package io.caretaker.config;

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

  static Config read(Section root) {
    AgentConfig agent = AgentConfig.read(root.section("agent"));
    ServerConfig server = ServerConfig.read(root.section("server"));
    CollectConfig collect = CollectConfig.read(root.section("collect"));
    LoggingConfig logging = LoggingConfig.read(root.section("logging"));
    Optional<RedisConfig> redis = root.optionalSection("redis").map(RedisConfig::read);
    TradingConfig trading = TradingConfig.read(root.section("trading"));
    if (trading.usesRedis() && redis.isEmpty()) {
      root.problem("trading", "Reads Redis keys or a stream, but no redis section is configured");
    }
    // Actions first: rules, schedules and routes name them, and are checked where they do.
    Map<String, ActionConfig> actions = new LinkedHashMap<>();
    root.namedSections("actions").forEach((name, s) -> actions.put(name, ActionConfig.read(name,
        s)));
    Set<String> actionNames = actions.keySet();
    List<Section> ruleSections = root.sections("rules");
    Section.checkUnique(ruleSections, "name");
    List<RuleConfig> rules = ruleSections.stream().map(s -> RuleConfig.read(s, actionNames))
        .toList();
    List<Section> scheduleSections = root.sections("schedules");
    Section.checkUnique(scheduleSections, "id");
    List<ScheduleConfig> schedules = scheduleSections.stream()
        .map(s -> ScheduleConfig.read(s, actionNames)).toList();
    AlertmanagerConfig alertmanager =
        AlertmanagerConfig.read(root.section("alertmanager"), actionNames);
    MaintenanceConfig maintenance = MaintenanceConfig.read(root.section("maintenance"));
    root.finish();
    return new Config(agent, server, collect, logging, redis, trading, rules,
        Map.copyOf(actions), schedules, alertmanager, maintenance);
  }
}
