package io.caretaker.config;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How often and how long collectors run, and which filesystems and interfaces they skip. Mountpoint
 * and interface exclusions are anchored regular expressions ({@code lo}, {@code veth.*}). {@code
 * nodeCompat} also serves node_exporter's names for what Grafana dashboard 1860 reads first.
 */
public record CollectConfig(
    Duration interval,
    Duration timeout,
    List<String> excludeFstypes,
    List<Pattern> excludeMountpoints,
    List<Pattern> excludeInterfaces,
    boolean nodeCompat) {

  static final List<String> DEFAULT_EXCLUDED_FSTYPES =
      List.of("tmpfs", "devtmpfs", "overlay", "squashfs", "proc", "sysfs");

  static CollectConfig read(Section s) {
    Duration interval = s.duration("interval", Duration.ofSeconds(5), Duration.ofMillis(100));
    Duration timeout = s.duration("timeout", defaultTimeout(interval), Duration.ofMillis(10));
    if (timeout.compareTo(interval) > 0) {
      s.problem(
          "timeout",
          "Expecting a duration no longer than collect.interval ("
              + Units.format(interval)
              + "). Found: "
              + s.found("timeout"));
    }
    Section fs = s.section("filesystems");
    List<String> fstypes = fs.strings("exclude_fstypes", DEFAULT_EXCLUDED_FSTYPES);
    List<Pattern> mountpoints = fs.regexes("exclude_mountpoints", List.of());
    fs.finish();
    Section net = s.section("network");
    List<Pattern> interfaces = net.regexes("exclude_interfaces", List.of("lo"));
    net.finish();
    boolean nodeCompat = s.bool("node_compat", false);
    s.finish();
    return new CollectConfig(interval, timeout, fstypes, mountpoints, interfaces, nodeCompat);
  }

  /** Half the interval, at most 2 s: a hung collector is cut off well before the next cycle. */
  private static Duration defaultTimeout(Duration interval) {
    Duration half = interval.dividedBy(2);
    return half.compareTo(Duration.ofSeconds(2)) < 0 ? half : Duration.ofSeconds(2);
  }
}
