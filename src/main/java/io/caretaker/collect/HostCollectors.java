package io.caretaker.collect;

import io.caretaker.config.Config;
import io.caretaker.metrics.LabelCap;
import io.caretaker.postgres.PostgresConnection;
import io.caretaker.redis.RedisConnection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import oshi.SystemInfo;

/** Every collector, in one place: what caretaker collects, and when each is on. */
public final class HostCollectors {
  private HostCollectors() {}

  /**
   * The collectors for {@code config}: host and JVM always, live log sizes when a log-rotation
   * action is configured, trading processes when configured, Redis and trading Redis when a Redis
   * connection is given. Slow the first time (OSHI loads JNA), so call it off the event loop.
   */
  public static List<Collector> create(
      Config config,
      Optional<RedisConnection> redis,
      List<PostgresConnection> postgres,
      LabelCap cap,
      Clock clock,
      BooleanSupplier redisCleanupRunning) {
    SystemInfo system = new SystemInfo();
    var hardware = system.getHardware();
    var os = system.getOperatingSystem();
    var collect = config.collect();
    List<Collector> collectors =
        new ArrayList<>(
            List.of(
                new CpuCollector(hardware.getProcessor()),
                new MemoryCollector(hardware.getMemory()),
                new FilesystemCollector(
                    collect.excludeFstypes(), collect.excludeMountpoints(), collect.nodeCompat()),
                new DiskCollector(),
                new NetworkCollector(hardware, collect.excludeInterfaces()),
                new SystemCollector(os),
                new PressureCollector(),
                new KernelCollector(),
                new TimeSyncCollector(),
                new JvmCollector()));
    if (collect.nodeCompat()) {
      collectors.add(new NodeCompatCollector(clock, collect.excludeInterfaces()));
    }
    LogFilesCollector logs = new LogFilesCollector(config.actions());
    if (!logs.isEmpty()) {
      collectors.add(logs);
    }
    config.postgres().ifPresent(p -> collectors.add(new PostgresCollector(p, postgres, clock)));
    config.tls().ifPresent(t -> collectors.add(new TlsCertificateCollector(t, clock)));
    if (!config.trading().processes().isEmpty()) {
      collectors.add(new ProcessCollector(os, config.trading().processes()));
    }
    redis.ifPresent(
        r -> {
          collectors.add(new RedisCollector(r, config.redis().orElseThrow().timeout()));
          config
              .redis()
              .orElseThrow()
              .keyGroups()
              .ifPresent(
                  groups ->
                      collectors.add(
                          new KeyGroupCollector(r, groups, redisCleanupRunning, clock).start()));
          if (config.trading().usesRedis()) {
            collectors.add(
                new TradingRedisCollector(
                    config.trading(), r, cap, clock, config.redis().orElseThrow().timeout()));
          }
        });
    return collectors;
  }
}
