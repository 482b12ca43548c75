package io.caretaker.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * What a valid config names that is not there (yet): a file-retention or log-rotation root, a
 * backup source, a command's workdir. Not errors, since a directory may appear after the agent
 * starts (a mount, a first deployment), but the run fails until it does: {@code check-config}
 * prints these and exits 0, {@code serve} logs them once at start.
 */
public final class ConfigWarnings {
  private ConfigWarnings() {}

  /** One line per missing path, naming the action and the key; actions in name order. */
  public static List<String> of(Config config) {
    List<String> out = new ArrayList<>();
    for (ActionConfig a : new TreeMap<>(config.actions()).values()) {
      String at = "actions." + a.name() + ".";
      if (a.spec() instanceof ActionSpec.FileRetention f) {
        missing(out, at + "roots", f.roots());
      } else if (a.spec() instanceof ActionSpec.LogRotation r) {
        missing(out, at + "roots", r.roots());
      } else if (a.spec() instanceof ActionSpec.Backup b) {
        missing(out, at + "sources", b.sources());
      } else if (a.spec() instanceof ActionSpec.Command c && c.workdir().isPresent()) {
        missing(out, at + "workdir", List.of(c.workdir().get()));
      }
    }
    return out;
  }

  private static void missing(List<String> out, String key, List<Path> paths) {
    for (Path p : paths) {
      if (!Files.exists(p)) {
        out.add("warning: " + key + ": " + p + " does not exist; the action fails until it does");
      }
    }
  }
}
