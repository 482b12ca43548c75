package io.caretaker.collect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel's own counters, read from {@code /proc} (or a copy of it, in tests) as node_exporter
 * reads them: small text files, one read each, parsed without regexes. A file the kernel does not
 * have (no PSI before 4.20, a container without /proc/pressure) reads as empty, and its series are
 * left out.
 */
final class ProcFiles {
  private final Path root;

  ProcFiles(Path root) {
    this.root = root;
  }

  static ProcFiles system() {
    return new ProcFiles(Path.of("/proc"));
  }

  List<String> lines(String file) {
    try {
      return Files.readAllLines(root.resolve(file));
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** One /proc/meminfo field: its value in bytes when {@code bytes}, else a count. */
  record MemField(String name, double value, boolean bytes) {}

  /** "Name: value [kB]" lines (/proc/meminfo), in order. */
  List<MemField> meminfoFields() {
    List<MemField> out = new java.util.ArrayList<>();
    for (String line : lines("meminfo")) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String[] parts = line.substring(colon + 1).trim().split("\\s+");
      boolean kb = parts.length > 1 && parts[1].equals("kB");
      double v = Double.parseDouble(parts[0]);
      out.add(new MemField(line.substring(0, colon), kb ? v * 1024 : v, kb));
    }
    return out;
  }

  /** /proc/meminfo's values by name (bytes, or counts for the unitless fields). */
  Map<String, Double> meminfo() {
    Map<String, Double> out = new LinkedHashMap<>();
    meminfoFields().forEach(f -> out.put(f.name(), f.value()));
    return out;
  }

  /** "name value" lines (/proc/vmstat, the single-value lines of /proc/stat). */
  Map<String, Double> pairs(String file) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String line : lines(file)) {
      String[] parts = line.trim().split("\\s+");
      if (parts.length >= 2) {
        try {
          out.put(parts[0], Double.parseDouble(parts[1]));
        } catch (NumberFormatException notANumber) {
          // a line of another shape (cpu lines have several numbers; their first is taken too)
        }
      }
    }
    return out;
  }

  /**
   * /proc/pressure/RESOURCE: "some avg10=.. avg60=.. avg300=.. total=MICROS" and (memory, io) "full
   * ...": seconds stalled by kind.
   */
  Map<String, Double> pressure(String resource) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String line : lines("pressure/" + resource)) {
      String[] parts = line.trim().split("\\s+");
      for (String p : parts) {
        if (p.startsWith("total=")) {
          out.put(parts[0], Double.parseDouble(p.substring(6)) / 1e6);
        }
      }
    }
    return out;
  }

  /** One line of the mount table: where {@code device} of type {@code fstype} is mounted. */
  record Mount(String device, String mountpoint, String fstype) {}

  /**
   * self/mounts: "DEVICE MOUNTPOINT FSTYPE OPTIONS 0 0", with a space, tab, newline or backslash in
   * a path written as an octal escape ("\040"), decoded here.
   */
  List<Mount> mounts() {
    List<Mount> out = new java.util.ArrayList<>();
    for (String line : lines("self/mounts")) {
      String[] parts = line.split(" ");
      if (parts.length >= 3) {
        out.add(new Mount(unescape(parts[0]), unescape(parts[1]), parts[2]));
      }
    }
    return out;
  }

  private static String unescape(String field) {
    if (field.indexOf('\\') < 0) {
      return field;
    }
    StringBuilder out = new StringBuilder(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && i + 3 < field.length() && isOctal(field, i + 1)) {
        out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean isOctal(String s, int from) {
    for (int i = from; i < from + 3; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '7') {
        return false;
      }
    }
    return true;
  }
}
