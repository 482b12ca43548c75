package io.caretaker.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Loads a configuration file, or the embedded default, into a validated {@link Config}.
 *
 * <pre>{@code
 * Config config = ConfigLoader.load(Path.of("caretaker.yml"));   // throws ConfigException
 * }</pre>
 */
public final class ConfigLoader {
  /** Name used in messages for the configuration embedded in the jar. */
  public static final String DEFAULT_NAME = "<embedded default>";

  private static final String DEFAULT_RESOURCE = "/io/caretaker/config/default.yml";

  private ConfigLoader() {}

  public static Config load(Path file) {
    String text;
    try {
      long size = Files.size(file);
      if (size > InputLimits.MAX_CONFIG_BYTES) {
        throw new ConfigException(
            List.of(
                new ConfigProblem(
                    "",
                    file.toString(),
                    0,
                    "Config file too large: "
                        + size
                        + " bytes; the limit is "
                        + InputLimits.MAX_CONFIG_BYTES)));
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException | SecurityException e) {
      throw new ConfigException(
          List.of(
              new ConfigProblem(
                  "", file.toString(), 0, "Cannot read config file: " + describe(e))));
    }
    return parse(file.toString(), text, System.getenv());
  }

  public static Config loadDefault() {
    return parse(DEFAULT_NAME, defaultText(), System.getenv());
  }

  /** The embedded default configuration, as YAML. */
  public static String defaultText() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("Embedded default config missing from the jar", e);
    }
  }

  /** Parses and validates {@code text}; {@code env} feeds ${VAR} substitution. */
  public static Config parse(String file, String text, Map<String, String> env) {
    ConfigNode tree = YamlTree.parse(file, text, new EnvSubstitution(env, file));
    List<ConfigProblem> problems = new ArrayList<>();
    Section root = Section.root(tree, file, problems);
    Config config = Config.read(root);
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return config;
  }

  private static String describe(Exception e) {
    String kind =
        e instanceof NoSuchFileException
            ? "no such file"
            : e instanceof AccessDeniedException
                ? "permission denied"
                : e.getClass().getSimpleName();
    return kind + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
  }
}
