package io.caretaker.config;

import io.caretaker.config.ConfigNode.ListNode;
import io.caretaker.config.ConfigNode.MapNode;
import io.caretaker.config.ConfigNode.Scalar;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

// One file on purpose: every typed accessor beside the others, so all config errors read alike.
/**
 * Typed, validating view of one YAML mapping. Each accessor marks its key as known, converts the
 * value, and records a located problem instead of throwing, so a config shows all its problems at
 * once. {@link #finish()} reports keys nobody asked for ("Unknown property").
 */
final class Section {
  private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private final MapNode node;
  private final String path;
  private final String file;
  private final List<ConfigProblem> problems;
  private final Set<String> asked = new LinkedHashSet<>();

  private Section(MapNode node, String path, String file, List<ConfigProblem> problems) {
    this.node = node;
    this.path = path;
    this.file = file;
    this.problems = problems;
  }

  static Section root(ConfigNode node, String file, List<ConfigProblem> problems) {
    Section root = new Section(new MapNode(node.line(), Map.of()), "", file, problems);
    return root.asSection(node, "");
  }

  String path() {
    return path;
  }

  int line() {
    return node.line();
  }

  boolean has(String key) {
    return value(key).isPresent();
  }

  String pathOf(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  // ---- scalars

  Optional<String> optionalString(String key) {
    return scalar(key, "a string", Function.identity());
  }

  String string(String key, String def) {
    return optionalString(key).orElse(def);
  }

  String requiredString(String key) {
    Optional<String> value = optionalString(key);
    if (value.isEmpty() && !hasProblemAt(key)) {
      problem(key, line(), "Missing required property");
    }
    return value.orElse("");
  }

  boolean bool(String key, boolean def) {
    return scalar(
            key,
            "true or false",
            t ->
                switch (t.toLowerCase(Locale.ROOT)) {
                  case "true" -> Boolean.TRUE;
                  case "false" -> Boolean.FALSE;
                  default -> null;
                })
        .orElse(def);
  }

  int integer(String key, int def, int min, int max) {
    Optional<Integer> value = scalar(key, "an integer", Section::parseInt);
    value.ifPresent(v -> checkRange(key, v, min, max));
    return value.orElse(def);
  }

  Optional<Double> optionalNumber(String key) {
    return scalar(key, "a number", Section::parseDouble);
  }

  double number(String key, double def) {
    return optionalNumber(key).orElse(def);
  }

  Optional<Duration> optionalDuration(String key) {
    Optional<ConfigNode> raw = value(key);
    if (raw.isPresent() && raw.get() instanceof Scalar s && Units.tooLong(s.text())) {
      problem(
          key,
          "Expecting a duration of at most "
              + Units.format(Units.MAX_DURATION)
              + ". Found: "
              + s.describe());
      return Optional.empty();
    }
    return scalar(key, "a duration like 5s, 1m30s, 500ms or 7d", Units::parseDuration);
  }

  Duration duration(String key, Duration def, Duration min) {
    Optional<Duration> value = optionalDuration(key);
    value
        .filter(v -> v.compareTo(min) < 0)
        .ifPresent(
            v ->
                problem(
                    key,
                    "Expecting a duration of at least "
                        + Units.format(min)
                        + ". Found: "
                        + found(key)));
    return value.orElse(def);
  }

  Optional<Long> optionalBytes(String key) {
    return scalar(key, "a size like 1048576, 512MB or 1GiB", Units::parseBytes);
  }

  long bytes(String key, long def, long min) {
    Optional<Long> value = optionalBytes(key);
    value
        .filter(v -> v < min)
        .ifPresent(
            v ->
                problem(
                    key, "Expecting a size of at least " + min + " bytes. Found: " + found(key)));
    return value.orElse(def);
  }

  /** One of {@code choices}, written in lower case; returns {@code def} when absent. */
  String choice(String key, String def, List<String> choices) {
    Optional<String> value = optionalString(key);
    if (value.isPresent() && !choices.contains(value.get())) {
      problem(key, "Expecting one of " + String.join(", ", choices) + ". Found: " + found(key));
      return def;
    }
    return value.orElse(def);
  }

  Optional<Pattern> optionalRegex(String key) {
    return optionalString(key).flatMap(text -> compile(key, text));
  }

  String metricName(String key) {
    String name = requiredString(key);
    if (!name.isEmpty() && !METRIC_NAME.matcher(name).matches()) {
      problem(
          key,
          "Expecting a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*). Found: " + found(key));
    }
    return name;
  }

  String labelName(String key, String def) {
    String name = string(key, def);
    if (!LABEL_NAME.matcher(name).matches() || name.startsWith("__")) {
      problem(
          key,
          "Expecting a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, no leading __)."
              + " Found: "
              + found(key));
    }
    return name;
  }

  // ---- collections

  /** A list of non-empty strings; an empty item (say, {@code ${VAR:-}}) is a problem. */
  List<String> strings(String key, List<String> def) {
    List<String> out = stringsAllowingEmpty(key, def);
    for (int i = 0; i < out.size(); i++) {
      if (out.get(i).isEmpty()) {
        problem(key + "[" + i + "]", lineOf(key), "Expecting a non-empty string");
      }
    }
    return out;
  }

  /** A list of strings, empty ones kept in place (argv items, tokens from unset variables). */
  List<String> stringsAllowingEmpty(String key, List<String> def) {
    Optional<ConfigNode> value = value(key);
    if (value.isEmpty()) {
      return def;
    }
    if (!(value.get() instanceof ListNode list)) {
      problem(key, "Expecting a list. Found: " + value.get().describe());
      return def;
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < list.items().size(); i++) {
      ConfigNode item = list.items().get(i);
      if (item instanceof Scalar s && s.text() != null) {
        out.add(s.text());
      } else {
        problem(key + "[" + i + "]", item.line(), "Expecting a string. Found: " + item.describe());
      }
    }
    return List.copyOf(out);
  }

  List<Pattern> regexes(String key, List<String> def) {
    List<Pattern> out = new ArrayList<>();
    for (String text : strings(key, def)) {
      compile(key, text).ifPresent(out::add);
    }
    return List.copyOf(out);
  }

  /** The keys this mapping holds, in order (for maps whose keys are the user's names). */
  List<String> keyNames() {
    return List.copyOf(node.entries().keySet());
  }

  Map<String, String> stringMap(String key) {
    Section section = section(key);
    Map<String, String> out = new LinkedHashMap<>();
    for (String k : section.node.entries().keySet()) {
      section.optionalString(k).ifPresent(v -> out.put(k, v));
    }
    return Map.copyOf(out);
  }

  /** A nested mapping; when absent, an empty section, so its defaults apply. */
  Section section(String key) {
    Optional<ConfigNode> value = value(key);
    return value.isEmpty() ? empty(key) : asSection(value.get(), key);
  }

  Optional<Section> optionalSection(String key) {
    return value(key).map(v -> asSection(v, key));
  }

  /** A list of mappings, each a section at {@code key[i]}. */
  List<Section> sections(String key) {
    return items(key).stream()
        .map(item -> asSection(item.getValue(), key + "[" + item.getKey() + "]"))
        .toList();
  }

  /** The raw items of a list, by index, for lists whose items may be scalars or mappings. */
  List<Map.Entry<Integer, ConfigNode>> items(String key) {
    Optional<ConfigNode> value = value(key);
    if (value.isEmpty()) {
      return List.of();
    }
    if (!(value.get() instanceof ListNode list)) {
      problem(key, "Expecting a list. Found: " + value.get().describe());
      return List.of();
    }
    List<Map.Entry<Integer, ConfigNode>> out = new ArrayList<>();
    for (int i = 0; i < list.items().size(); i++) {
      out.add(Map.entry(i, list.items().get(i)));
    }
    return out;
  }

  /** A mapping of name to mapping (e.g. actions), each a section at {@code key.name}. */
  Map<String, Section> namedSections(String key) {
    Section parent = section(key);
    Map<String, Section> out = new LinkedHashMap<>();
    parent
        .node
        .entries()
        .forEach(
            (name, entry) -> {
              parent.asked.add(name);
              out.put(name, parent.asSection(entry.value(), name));
            });
    return out;
  }

  /** A scalar list item or mapping as a section child, for mixed lists. */
  Section asSection(ConfigNode value, String key) {
    if (value instanceof MapNode map) {
      return new Section(map, pathOf(key), file, problems);
    }
    problem(key, value.line(), "Expecting a mapping. Found: " + value.describe());
    return empty(key);
  }

  /** Reports each of {@code names} (the value of {@code key}) that is not a configured action. */
  void checkActions(String key, List<String> names, Collection<String> actions) {
    for (String name : names) {
      if (!actions.contains(name)) {
        String known =
            actions.isEmpty()
                ? "none are configured"
                : "configured: " + String.join(", ", actions.stream().sorted().toList());
        problem(key, "Unknown action \"" + name + "\" (" + known + ")");
      }
    }
  }

  /** Reports a value of {@code key} that an earlier list item already used. */
  static void checkUnique(List<Section> items, String key) {
    Map<String, Integer> seen = new HashMap<>();
    for (Section item : items) {
      String value =
          item.node.entries().containsKey(key)
                  && item.node.entries().get(key).value() instanceof Scalar s
              ? s.text()
              : null;
      if (value == null || value.isEmpty()) {
        continue;
      }
      Integer first = seen.putIfAbsent(value, item.lineOf(key));
      if (first != null) {
        item.problem(key, "Duplicate " + key + " \"" + value + "\"; first used on line " + first);
      }
    }
  }

  // ---- problems

  void problem(String key, String message) {
    problem(key, lineOf(key), message);
  }

  void problem(String key, int line, String message) {
    problems.add(new ConfigProblem(pathOf(key), file, line, message));
  }

  /** The value as the user wrote it, for messages. */
  String found(String key) {
    return value(key).map(ConfigNode::describe).orElse("nothing");
  }

  /** Reports every key that no accessor asked for; call once all keys of this section are read. */
  void finish() {
    node.entries()
        .forEach(
            (key, entry) -> {
              if (!asked.contains(key)) {
                String hint = closest(key).map(k -> ". Did you mean \"" + k + "\"?").orElse("");
                problems.add(
                    new ConfigProblem(
                        pathOf(key), file, entry.keyLine(), "Unknown property" + hint));
              }
            });
  }

  // ---- internals

  private Section empty(String key) {
    return new Section(new MapNode(line(), Map.of()), pathOf(key), file, problems);
  }

  private Optional<ConfigNode> value(String key) {
    asked.add(key);
    MapNode.Entry entry = node.entries().get(key);
    if (entry == null
        || entry.value() instanceof Scalar s && (s.text() == null || s.text().isEmpty())) {
      return Optional.empty();
    }
    return Optional.of(entry.value());
  }

  private int lineOf(String key) {
    MapNode.Entry entry = node.entries().get(key);
    return entry == null ? line() : entry.value().line();
  }

  private boolean hasProblemAt(String key) {
    String p = pathOf(key);
    return problems.stream().anyMatch(x -> x.path().equals(p));
  }

  private <T> Optional<T> scalar(String key, String expecting, Function<String, T> convert) {
    Optional<ConfigNode> value = value(key);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    T converted = value.get() instanceof Scalar s ? convert.apply(s.text().trim()) : null;
    if (converted == null) {
      problem(key, "Expecting " + expecting + ". Found: " + value.get().describe());
    }
    return Optional.ofNullable(converted);
  }

  private Optional<Pattern> compile(String key, String regex) {
    try {
      return Optional.of(Pattern.compile(regex));
    } catch (PatternSyntaxException e) {
      problem(
          key, "Invalid regular expression: " + e.getDescription() + ". Found: \"" + regex + "\"");
      return Optional.empty();
    }
  }

  private void checkRange(String key, long value, long min, long max) {
    if (value < min || value > max) {
      String range =
          max == Integer.MAX_VALUE || max == Long.MAX_VALUE
              ? "a value >= " + min
              : "a value between " + min + " and " + max;
      problem(key, "Expecting " + range + ". Found: " + value);
    }
  }

  private Optional<String> closest(String key) {
    return asked.stream()
        .filter(k -> !k.equals(key))
        .filter(k -> distance(k, key) <= Math.max(2, key.length() / 3))
        .min(Comparator.comparingInt(k -> distance(k, key)));
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static Integer parseInt(String text) {
    try {
      return Integer.valueOf(text);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Double parseDouble(String text) {
    try {
      double d = Double.parseDouble(text);
      return Double.isFinite(d) && !text.startsWith("0x") ? d : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
