package io.caretaker.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A parsed YAML value that remembers the line it came from, so every error can name it. */
sealed interface ConfigNode {
  int line();

  /** What the user wrote, for "Found: ..." in messages. */
  String describe();

  /** A mapping; keys keep their order and their own lines. */
  record MapNode(int line, Map<String, Entry> entries) implements ConfigNode {
    record Entry(int keyLine, ConfigNode value) {}

    public MapNode {
      entries = new LinkedHashMap<>(entries);
    }

    @Override
    public String describe() {
      return "a mapping";
    }
  }

  record ListNode(int line, List<ConfigNode> items) implements ConfigNode {
    public ListNode {
      items = List.copyOf(items);
    }

    @Override
    public String describe() {
      return "a list";
    }
  }

  /** A scalar as text after ${ENV} substitution; {@code text} is null for YAML null. */
  record Scalar(int line, String text) implements ConfigNode {
    @Override
    public String describe() {
      return text == null ? "null" : '"' + text + '"';
    }
  }
}
