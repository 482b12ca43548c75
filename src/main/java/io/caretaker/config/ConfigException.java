package io.caretaker.config;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown when a configuration cannot be used; carries every problem found, not just the first, in
 * file order so they read top to bottom like the file.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient List<ConfigProblem> problems;

  public ConfigException(List<ConfigProblem> problems) {
    super(sorted(problems).stream().map(ConfigProblem::toString).collect(Collectors.joining("\n")));
    this.problems = sorted(problems);
  }

  public List<ConfigProblem> problems() {
    return problems;
  }

  private static List<ConfigProblem> sorted(List<ConfigProblem> problems) {
    return problems.stream().sorted(Comparator.comparingInt(ConfigProblem::line)).toList();
  }
}
