package io.caretaker.actions;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Masks known secrets (the config's tokens and Redis password, and secret-looking values a command
 * is given) in text kept in run records, which {@code GET /api/v1/runs} shows without a token.
 * Longest first, so a secret containing another is masked whole.
 */
public final class Redactor {
  static final String MASK = "[REDACTED]";

  /** Shorter values are not masked: "1" or "true" in env would mask half the output. */
  private static final int MIN_LENGTH = 6;

  private final List<String> secrets;

  public Redactor(List<String> secrets) {
    this.secrets =
        secrets.stream()
            .filter(s -> s != null && s.length() >= MIN_LENGTH)
            .distinct()
            .sorted(Comparator.comparingInt(String::length).reversed())
            .toList();
  }

  /** The same redactor with more secrets. */
  Redactor with(List<String> more) {
    return new Redactor(Stream.concat(secrets.stream(), more.stream()).toList());
  }

  public String redact(String text) {
    String out = text;
    for (String secret : secrets) {
      out = out.replace(secret, MASK);
    }
    return out;
  }
}
