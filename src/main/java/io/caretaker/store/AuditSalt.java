package io.caretaker.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * This agent's salt for secret fingerprints: 16 random bytes made once and kept in the data
 * directory, so a secret's fingerprint is the same in every run, and means nothing elsewhere.
 */
public final class AuditSalt {
  private AuditSalt() {}

  public static byte[] of(Path dataDir) {
    Path file = dataDir.resolve("audit-salt");
    try {
      try {
        byte[] salt = Files.readAllBytes(file);
        if (salt.length == 16) {
          return salt;
        }
      } catch (NoSuchFileException first) {
        // made below
      }
      byte[] salt = new byte[16];
      new SecureRandom().nextBytes(salt);
      Files.createDirectories(dataDir);
      AtomicFile.write(file, salt, AtomicFile.Mode.REPLACE);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      return salt;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
