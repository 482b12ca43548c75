package io.caretaker.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Files named with a UTC timestamp ({@code health_check_20261123T100000Z.md}, {@code
 * backup-20261123T100000Z.tar.gz}): the stamp, and keeping only the newest few. The stamp sorts as
 * text in time order, so "newest" needs no file times. A second file of the same second gets {@code
 * _2}, {@code _3}... after the stamp (sorting after the first), so names never collide.
 */
public final class Stamped {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** A stamp, inside the regexes {@link #keepNewest} takes. */
  public static final String STAMP_REGEX = "\\d{8}T\\d{6}Z(?:_\\d+)?";

  private Stamped() {}

  static String stamp(Instant t) {
    return STAMP.format(t);
  }

  /**
   * {@code dir/prefix + stamp}, with a counter after the stamp when a file of that name with any of
   * {@code suffixes} exists already.
   */
  public static Path unique(Path dir, String prefix, Instant t, String... suffixes) {
    String stamp = stamp(t);
    for (int n = 1; ; n++) {
      String base = prefix + stamp + (n == 1 ? "" : "_" + n);
      if (Arrays.stream(suffixes).noneMatch(s -> Files.exists(dir.resolve(base + s)))) {
        return dir.resolve(base);
      }
    }
  }

  /**
   * Deletes all but the newest {@code keep} files of {@code dir} whose names match {@code name},
   * each with the files {@code group} gives for it; returns how many files went.
   */
  public static int keepNewest(Path dir, Pattern name, int keep, Function<Path, List<Path>> group)
      throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files =
          list.filter(f -> name.matcher(f.getFileName().toString()).matches()).sorted().toList();
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
