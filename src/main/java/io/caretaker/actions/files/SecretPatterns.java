package io.caretaker.actions.files;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a secret looks like in a log line: built-in kinds (private key blocks, AWS access keys,
 * GitHub, Slack and Telegram tokens, JWTs, password/secret/api_key assignments, credentials in
 * URLs, bearer headers) and the config's own. Each pattern's group "s" (or group 1, or the whole
 * match) is the secret; values that are plainly not one (empty, masked, a ${VAR} or %s placeholder)
 * are passed over.
 */
final class SecretPatterns {
  /** One secret in a line: its kind and where it is (the text itself is never kept). */
  record Match(String kind, int start, int end) {}

  /**
   * Text each built-in kind cannot match without (lower case): most log lines hold none, so most
   * lines cost a few substring searches instead of nine regex scans.
   */
  private static final Map<String, List<String>> NEEDS =
      Map.of(
          "private_key", List.of("private key"),
          "aws_access_key", List.of("akia", "asia"),
          "github_token", List.of("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
          "slack_token", List.of("xox"),
          "telegram_token", List.of(":aa"),
          "jwt", List.of("eyj"),
          "url_credentials", List.of("://"),
          "bearer", List.of("bearer"),
          "assignment", List.of("pass", "pwd", "secret", "key", "token"));

  static final Map<String, Pattern> BUILT_IN = builtIn();

  private static final Pattern PLACEHOLDER =
      Pattern.compile(
          "(?i)^(?:[*xX#.]+|<[^>]*>|\\$\\{?[A-Za-z_]+\\}?|%s|null|none|redacted|\\[redacted\\]|changeme|\\*+)$");

  private final Map<String, Pattern> patterns;
  private final boolean custom;

  /** The built-in kinds' needles by their first byte, for {@link #mayHold}. */
  private static final byte[][][] NEEDLES_BY_FIRST = needlesByFirst();

  SecretPatterns(Map<String, Pattern> custom) {
    patterns = new LinkedHashMap<>(BUILT_IN);
    patterns.putAll(custom);
    this.custom = !custom.isEmpty();
  }

  private static byte[][][] needlesByFirst() {
    List<List<byte[]>> lists = new ArrayList<>();
    for (int i = 0; i < 256; i++) {
      lists.add(new ArrayList<>());
    }
    NEEDS.values().stream()
        .flatMap(List::stream)
        .distinct()
        .forEach(n -> lists.get(n.charAt(0)).add(n.getBytes(StandardCharsets.ISO_8859_1)));
    byte[][][] out = new byte[256][][];
    for (int i = 0; i < 256; i++) {
      out[i] = lists.get(i).isEmpty() ? null : lists.get(i).toArray(new byte[0][]);
    }
    return out;
  }

  private static int lower(byte b) {
    int c = b & 0xff;
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
  }

  /**
   * Whether the line {@code b[from, to)} holds any text a built-in kind needs, read as bytes in one
   * pass (no String, no lower-cased copy): most log lines are turned away here. Always true when
   * the config adds patterns, which have no needles.
   */
  boolean mayHold(byte[] b, int from, int to) {
    if (custom) {
      return true;
    }
    for (int i = from; i < to; i++) {
      byte[][] candidates = NEEDLES_BY_FIRST[lower(b[i])];
      if (candidates == null) {
        continue;
      }
      for (byte[] n : candidates) {
        if (i + n.length <= to && startsWith(b, i, n)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean startsWith(byte[] b, int at, byte[] needle) {
    for (int k = 1; k < needle.length; k++) {
      if (lower(b[at + k]) != needle[k]) {
        return false;
      }
    }
    return true;
  }

  private static Map<String, Pattern> builtIn() {
    Map<String, Pattern> p = new LinkedHashMap<>();
    p.put(
        "private_key",
        Pattern.compile("(?<s>-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----)"));
    p.put("aws_access_key", Pattern.compile("\\b(?<s>(?:AKIA|ASIA)[0-9A-Z]{16})\\b"));
    p.put("github_token", Pattern.compile("\\b(?<s>gh[pousr]_[A-Za-z0-9]{36,255})\\b"));
    p.put("slack_token", Pattern.compile("\\b(?<s>xox[abposr]-[A-Za-z0-9-]{10,})\\b"));
    p.put("telegram_token", Pattern.compile("\\b(?<s>\\d{8,10}:AA[A-Za-z0-9_-]{33})\\b"));
    p.put(
        "jwt",
        Pattern.compile(
            "\\b(?<s>eyJ[A-Za-z0-9_-]{10,}\\.eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,})"));
    p.put(
        "url_credentials",
        Pattern.compile("\\b[a-z][a-z0-9+.-]*://[^\\s:/@]+:(?<s>[^\\s@/]{3,})@"));
    p.put("bearer", Pattern.compile("(?i)\\bbearer\\s+(?<s>[A-Za-z0-9._~+/-]{20,}=*)"));
    p.put(
        "assignment",
        Pattern.compile(
            "(?i)\\b(?:password|passwd|pwd|secret|api[_-]?key|apikey|access[_-]?token"
                + "|auth[_-]?token|client[_-]?secret)\\b\\s*[=:]\\s*[\"']?(?<s>[^\\s\"',;&]{6,})"));
    return p;
  }

  /** Every kind, built-in and configured. */
  Set<String> kinds() {
    return patterns.keySet();
  }

  private static boolean mayMatch(String kind, String lower) {
    List<String> needs = NEEDS.get(kind);
    if (needs == null) {
      return true; // a configured pattern: always run
    }
    for (String n : needs) {
      if (lower.contains(n)) {
        return true;
      }
    }
    return false;
  }

  /** The secrets in {@code line}, one per place: the first kind that claims a span wins. */
  List<Match> find(String line) {
    List<Match> out = new ArrayList<>();
    String lower = line.toLowerCase(Locale.ROOT);
    for (Map.Entry<String, Pattern> e : patterns.entrySet()) {
      if (!mayMatch(e.getKey(), lower)) {
        continue;
      }
      Matcher m = e.getValue().matcher(line);
      while (m.find()) {
        int start = start(m);
        int end = end(m);
        String value = line.substring(start, end);
        boolean taken = out.stream().anyMatch(o -> o.start() < end && start < o.end());
        if (!taken && !PLACEHOLDER.matcher(value).matches()) {
          out.add(new Match(e.getKey(), start, end));
        }
      }
    }
    return out;
  }

  private static int start(Matcher m) {
    try {
      return m.start("s");
    } catch (IllegalArgumentException noNamedGroup) {
      return m.groupCount() > 0 && m.start(1) >= 0 ? m.start(1) : m.start();
    }
  }

  private static int end(Matcher m) {
    try {
      return m.end("s");
    } catch (IllegalArgumentException noNamedGroup) {
      return m.groupCount() > 0 && m.end(1) >= 0 ? m.end(1) : m.end();
    }
  }
}
