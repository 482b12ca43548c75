package io.caretaker.config;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${NAME}} and {@code ${NAME:-default}} in scalar values; {@code $$} is a literal
 * {@code $}. An unset (or empty) variable without a default is a problem naming the key: left empty
 * it would silently drop a list item and shift the rest (an argv argument would run as the
 * program). {@code ${NAME:-}} says "empty when unset", which optional keys treat as not given.
 */
final class EnvSubstitution implements YamlTree.Substitution {
  private static final Pattern REFERENCE =
      Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}|\\$\\{");

  private final Map<String, String> env;
  private final String file;

  EnvSubstitution(Map<String, String> env, String file) {
    this.env = env;
    this.file = file;
  }

  @Override
  // Long on purpose: one regex loop with its three cases.
  public String apply(String text, String path, int line, List<ConfigProblem> problems) {
    if (text.indexOf('$') < 0) {
      return text;
    }
    Matcher m = REFERENCE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement;
      if (m.group().equals("$$")) {
        replacement = "$";
      } else if (m.group(1) == null) {
        problems.add(
            new ConfigProblem(
                path,
                file,
                line,
                "Malformed variable reference; expecting ${NAME} or ${NAME:-default}. Found: \""
                    + text
                    + "\""));
        return text;
      } else {
        String value = env.get(m.group(1));
        boolean unset = value == null || value.isEmpty();
        if (unset && m.group(2) == null) {
          problems.add(
              new ConfigProblem(
                  path,
                  file,
                  line,
                  "Environment variable "
                      + m.group(1)
                      + " is not set and has no default; set it, or write ${"
                      + m.group(1)
                      + ":-} for an empty value"));
          return text;
        }
        replacement = unset ? m.group(2) : value;
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }
}
