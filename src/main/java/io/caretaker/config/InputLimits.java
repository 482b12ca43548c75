package io.caretaker.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The limits every parser of outside input applies (webhook and event bodies, config files): far
 * above what real input needs, far below what hurts. A body beyond them is refused with a one-line
 * reason, never a stack trace. Documented in docs/operations.md, "Limits and guarantees".
 */
public final class InputLimits {
  /** Real Alertmanager bodies nest 4 deep, events 2; the config about 8. */
  public static final int MAX_NESTING = 64;

  /** Digits in one JSON number. */
  public static final int MAX_NUMBER_LENGTH = 100;

  /** Characters in one JSON key (label names are short). */
  public static final int MAX_NAME_LENGTH = 1_000;

  /** A config file larger than this is refused before it is parsed. */
  public static final int MAX_CONFIG_BYTES = 1 << 20;

  private InputLimits() {}

  /** A JSON mapper for bodies from outside, with the limits above. */
  public static ObjectMapper jsonMapper() {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING)
                    .maxNumberLength(MAX_NUMBER_LENGTH)
                    .maxNameLength(MAX_NAME_LENGTH)
                    .build())
            .build();
    return new ObjectMapper(factory);
  }

  /** "at line 3, column 7" where Jackson knows it, else nothing; one line either way. */
  public static String describe(JsonProcessingException e) {
    String message = firstLine(e.getOriginalMessage());
    return e.getLocation() == null || e.getLocation().getLineNr() < 1
        ? message
        : message
            + " at line "
            + e.getLocation().getLineNr()
            + ", column "
            + e.getLocation().getColumnNr();
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "unreadable";
    }
    int nl = text.indexOf('\n');
    String line = nl < 0 ? text : text.substring(0, nl);
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }
}
