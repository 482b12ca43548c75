package io.caretaker.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Where Redis is; password and TLS travel in the URI (rediss://, redis://:secret@host). */
public record RedisConfig(String uri, Duration timeout) {
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
    s.finish();
    return new RedisConfig(uri, timeout);
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
