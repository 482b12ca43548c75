package io.caretaker.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where Redis is (password and TLS travel in the URI: rediss://, redis://:secret@host), and the key
 * groups whose size and memory a background scan measures.
 */
public record RedisConfig(String uri, Duration timeout, Optional<KeyGroups> keyGroups) {
  /**
   * Groups of keys by glob ({@code positions: "positions:*"}), measured every {@code every}: key
   * count and memory (MEMORY USAGE with {@code samples}; past {@code maxKeys} a group's memory is
   * extrapolated from those measured), and the {@code top} biggest keys, named only when {@code
   * keyNames}. Paced as the cleanup is ({@code batch}, {@code latencyTarget}).
   */
  public record KeyGroups(
      Map<String, String> patterns,
      Duration every,
      int samples,
      int maxKeys,
      int top,
      boolean keyNames,
      int batch,
      Duration latencyTarget) {}

  public RedisConfig(String uri, Duration timeout) {
    this(uri, timeout, Optional.empty());
  }

  private static final Set<String> SCHEMES =
      Set.of("redis", "rediss", "redis-sentinel", "rediss-sentinel", "redis-socket");

  static RedisConfig read(Section s) {
    String uri = s.requiredString("uri");
    if (!uri.isEmpty() && !validUri(uri)) {
      s.problem(
          "uri",
          "Expecting a Redis URI like redis://host:6379/0 or rediss://... Found: "
              + s.found("uri"));
    }
    Duration timeout = s.duration("timeout", Duration.ofSeconds(2), Duration.ofMillis(1));
    Optional<KeyGroups> groups = s.optionalSection("key_groups").map(RedisConfig::keyGroups);
    s.finish();
    return new RedisConfig(uri, timeout, groups);
  }

  private static KeyGroups keyGroups(Section g) {
    Map<String, String> patterns = g.stringMap("patterns");
    if (patterns.isEmpty()) {
      g.problem("patterns", "Expecting at least one group: {name: \"glob:*\"}");
    }
    KeyGroups groups =
        new KeyGroups(
            patterns,
            g.duration("every", Duration.ofMinutes(5), Duration.ofSeconds(10)),
            g.integer("samples", 5, 0, 1000),
            g.integer("max_keys", 100_000, 1, Integer.MAX_VALUE),
            g.integer("top", 10, 0, 1000),
            g.bool("key_names", false),
            g.integer("batch", 500, 10, 10_000),
            g.duration("latency_target", Duration.ofMillis(2), Duration.ofMillis(1)));
    g.finish();
    return groups;
  }

  private static boolean validUri(String uri) {
    try {
      URI parsed = new URI(uri);
      return parsed.getScheme() != null && SCHEMES.contains(parsed.getScheme());
    } catch (URISyntaxException e) {
      return false;
    }
  }

  /** The user info of the URI ("user:secret", ":secret"), which holds the password, if any. */
  public Optional<String> credentials() {
    Matcher m = Pattern.compile("//([^@/]+)@").matcher(uri);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /** The URI without its password, for logs and status. */
  public String redactedUri() {
    return uri.replaceFirst("//[^@/]*@", "//***@");
  }
}
