package io.caretaker.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.caretaker.config.ConfigNode.ListNode;
import io.caretaker.config.ConfigNode.MapNode;
import io.caretaker.config.ConfigNode.Scalar;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads YAML into {@link ConfigNode}s with Jackson's streaming YAML parser, keeping each value's
 * line. Jackson's own tree model drops locations, which every config error needs. Refused, with
 * their line: aliases (the parser would hand back the anchor's name as the value), a second
 * document, and files over {@link InputLimits#MAX_CONFIG_BYTES}.
 */
final class YamlTree {
  private static final YAMLFactory FACTORY = new YAMLFactory();

  private YamlTree() {}

  /**
   * Parses {@code text}; {@code substitute} rewrites each scalar (environment substitution).
   *
   * @throws ConfigException for invalid YAML or duplicate keys, naming the line
   */
  static ConfigNode parse(String file, String text, Substitution substitute) {
    if (text.length() > InputLimits.MAX_CONFIG_BYTES) {
      throw new ConfigException(
          List.of(
              new ConfigProblem(
                  "",
                  file,
                  0,
                  "Config file too large: "
                      + text.length()
                      + " characters; the limit is "
                      + InputLimits.MAX_CONFIG_BYTES)));
    }
    List<ConfigProblem> problems = new ArrayList<>();
    try (JsonParser parser = FACTORY.createParser(text)) {
      if (parser.nextToken() == null) {
        return new MapNode(1, Map.of());
      }
      ConfigNode root = read(parser, "", file, substitute, problems);
      if (parser.nextToken() != null) {
        problems.add(
            new ConfigProblem(
                "",
                file,
                parser.currentTokenLocation().getLineNr(),
                "A second YAML document (after ---); a config file holds one"));
      }
      if (!problems.isEmpty()) {
        throw new ConfigException(problems);
      }
      return root;
    } catch (JsonProcessingException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      throw new ConfigException(
          List.of(new ConfigProblem("", file, line, "Invalid YAML: " + e.getOriginalMessage())));
    } catch (IOException e) {
      throw new ConfigException(
          List.of(new ConfigProblem("", file, 0, "Cannot read: " + e.getMessage())));
    }
  }

  /**
   * Rewrites a scalar's text; reports a problem at {@code path} (and returns the text unchanged)
   * when it cannot.
   */
  interface Substitution {
    String apply(String text, String path, int line, List<ConfigProblem> problems);
  }

  // Long on purpose: one switch over the parser's token kinds.
  private static ConfigNode read(
      JsonParser p, String path, String file, Substitution substitute, List<ConfigProblem> problems)
      throws IOException {
    int line = p.currentTokenLocation().getLineNr();
    JsonToken token = p.currentToken();
    if (p instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
      problems.add(
          new ConfigProblem(
              path,
              file,
              line,
              "YAML aliases (*" + p.getText() + ") are not supported; write the value out"));
      return new Scalar(line, null);
    }
    switch (token) {
      case START_OBJECT -> {
        Map<String, MapNode.Entry> entries = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          int keyLine = p.currentTokenLocation().getLineNr();
          p.nextToken();
          ConfigNode value =
              read(p, path.isEmpty() ? key : path + "." + key, file, substitute, problems);
          MapNode.Entry previous = entries.putIfAbsent(key, new MapNode.Entry(keyLine, value));
          if (previous != null) {
            problems.add(
                new ConfigProblem(
                    key,
                    file,
                    keyLine,
                    "Duplicate key; first given on line " + previous.keyLine()));
          }
        }
        return new MapNode(line, entries);
      }
      case START_ARRAY -> {
        List<ConfigNode> items = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          items.add(read(p, path + "[" + items.size() + "]", file, substitute, problems));
        }
        return new ListNode(line, items);
      }
      case VALUE_NULL -> {
        return new Scalar(line, null);
      }
      default -> {
        return new Scalar(line, substitute.apply(p.getText(), path, line, problems));
      }
    }
  }
}
