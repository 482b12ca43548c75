package io.caretaker.actions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Files named with a UTC timestamp ({@code health_check_20261123T100000Z.md},
 * {@code backup-20261123T100000Z.tar.gz}): the stamp, and keeping only the newest few. The stamp
 * sorts as text in time order, so "newest" needs no file times.
 */
final class Stamped {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  /** A stamp, inside the regexes {@link #keepNewest} takes. */
  static final String STAMP_REGEX = "\\d{8}T\\d{6}Z";

  private Stamped() {}

  static String stamp(Instant t) {
    return STAMP.format(t);
  }

  /**
   * Deletes all but the newest {@code keep} files of {@code dir} whose names match {@code name},
   * each with the files {@code group} gives for it; returns how many files went.
   */
  static int keepNewest(Path dir, Pattern name, int keep, Function<Path, List<Path>> group)
      throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(f -> name.matcher(f.getFileName().toString()).matches()).sorted()
          .toList();
    }
    int deleted = 0;
    for (Path old : files.subList(0, Math.max(0, files.size() - keep))) {
      for (Path f : group.apply(old)) {
        if (Files.deleteIfExists(f)) {
          deleted++;
        }
      }
    }
    return deleted;
  }
}
