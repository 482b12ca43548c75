package io.caretaker.store;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A small JSON state file in the data directory (paused schedules, maintenance set by an operator)
 * that survives a restart: written aside, fsynced, renamed, so it is whole or old.
 */
public final class StateFile {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path file;

  public StateFile(Path file) {
    this.file = file;
  }

  /** The saved state, or empty when there is none; an unreadable file is an error. */
  public Map<String, Object> read() {
    if (!Files.exists(file)) {
      return Map.of();
    }
    try {
      return JSON.readValue(file.toFile(), new TypeReference<Map<String, Object>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  public synchronized void write(Map<String, Object> state) {
    try {
      Files.createDirectories(file.getParent());
      AtomicFile.write(file, JSON.writeValueAsBytes(state), AtomicFile.Mode.REPLACE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
