package io.caretaker.redis;

import java.util.LinkedHashMap;
import java.util.Map;

/** Parses the text of Redis's INFO command ("key:value" lines, "# Section" headers). */
public final class RedisInfo {
  private RedisInfo() {}

  public static Map<String, String> parse(String info) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String line : info.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("#")) {
        fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
      }
    }
    return fields;
  }

  /** "keys=12,expires=3,avg_ttl=0" (a dbN line) → its keys count, or -1. */
  public static long keysOf(String dbLine) {
    for (String part : dbLine.split(",")) {
      if (part.startsWith("keys=")) {
        return Long.parseLong(part.substring(5));
      }
    }
    return -1;
  }
}
