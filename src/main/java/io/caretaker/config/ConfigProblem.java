package io.caretaker.config;

/**
 * One thing wrong with a configuration, located by key path and line: {@code collect.interval
 * (caretaker.yml:7): Expecting a duration like 5s. Found: "fast"}.
 */
public record ConfigProblem(String path, String file, int line, String message) {
  @Override
  public String toString() {
    String where = line > 0 ? file + ":" + line : file;
    return path.isEmpty() ? where + ": " + message : path + " (" + where + "): " + message;
  }
}
