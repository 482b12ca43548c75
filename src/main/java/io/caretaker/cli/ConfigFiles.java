package io.caretaker.cli;

import io.caretaker.config.Config;
import io.caretaker.config.ConfigException;
import io.caretaker.config.ConfigLoader;
import io.caretaker.config.ConfigProblem;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;

/** Loads the config a command was given (or the embedded default) and prints its problems. */
public final class ConfigFiles {
  private ConfigFiles() {}

  /** The config, or empty after printing every problem to {@code err}. */
  public static Optional<Config> load(Path file, PrintWriter err) {
    try {
      return Optional.of(file == null ? ConfigLoader.loadDefault() : ConfigLoader.load(file));
    } catch (ConfigException e) {
      for (ConfigProblem p : e.problems()) {
        err.println(p);
      }
      err.printf(
          "%d problem%s in %s%n",
          e.problems().size(),
          e.problems().size() == 1 ? "" : "s",
          file == null ? ConfigLoader.DEFAULT_NAME : file);
      err.flush();
      return Optional.empty();
    }
  }
}
