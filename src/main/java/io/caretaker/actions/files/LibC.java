package io.caretaker.actions.files;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The libc calls the log rotation needs, through JNA (which OSHI already brings): fallocate's
 * collapse-range, which removes a file's first bytes in place, and kill, to tell a writer to
 * reopen. Linux x86-64 and arm64 (the constants are theirs).
 */
final class LibC {
  private interface Api extends Library {
    int open(String path, int flags) throws LastErrorException;

    int fallocate(int fd, int mode, long offset, long length) throws LastErrorException;

    int fsync(int fd) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    int kill(int pid, int signal) throws LastErrorException;

    int flock(int fd, int operation) throws LastErrorException;
  }

  /** An flock(2) held on a file until closed (closing other descriptors does not release it). */
  static final class Lock implements AutoCloseable {
    private final int fd;

    private Lock(int fd) {
      this.fd = fd;
    }

    @Override
    public void close() {
      API.close(fd);
    }
  }

  private static final int O_WRONLY = 01;
  private static final int O_NOFOLLOW = 0400000;
  private static final int O_CLOEXEC = 02000000;
  private static final int O_RDONLY = 0;
  private static final int LOCK_EX = 2;
  private static final int LOCK_NB = 4;
  private static final int EWOULDBLOCK = 11;
  private static final int FALLOC_FL_COLLAPSE_RANGE = 0x08;
  private static final int EINVAL = 22;
  private static final int EOPNOTSUPP = 95;

  /** The signals a writer may be sent to reopen its log (config: REOPEN_SIGNALS). */
  static final Map<String, Integer> SIGNALS = Map.of("HUP", 1, "USR1", 10, "USR2", 12);

  private static final Api API = Native.load("c", Api.class);

  private LibC() {}

  /**
   * Removes the first {@code length} bytes of {@code file} in place (fallocate
   * FALLOC_FL_COLLAPSE_RANGE): what is after them, and what writers append meanwhile, stays. {@code
   * length} must be a multiple of the filesystem's block size and end before the end of the file.
   * Returns false, changing nothing, where the filesystem does not support it (tmpfs, NFS,
   * Btrfs...).
   */
  static boolean collapse(Path file, long length) throws IOException {
    int fd;
    try {
      fd = API.open(file.toString(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    } catch (LastErrorException e) {
      throw new IOException(file + ": open failed (errno " + e.getErrorCode() + ")");
    }
    try {
      API.fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, length);
      API.fsync(fd);
      return true;
    } catch (LastErrorException e) {
      if (e.getErrorCode() == EOPNOTSUPP || e.getErrorCode() == EINVAL) {
        return false;
      }
      throw new IOException(file + ": collapse failed (errno " + e.getErrorCode() + ")");
    } finally {
      API.close(fd);
    }
  }

  /**
   * An exclusive flock on {@code file}, or empty when another holder has it (another agent, or
   * another action of this one: flock is per open file, not per process).
   */
  static Optional<Lock> tryLock(Path file) throws IOException {
    int fd;
    try {
      fd = API.open(file.toString(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    } catch (LastErrorException e) {
      throw new IOException(file + ": open failed (errno " + e.getErrorCode() + ")");
    }
    try {
      API.flock(fd, LOCK_EX | LOCK_NB);
      return Optional.of(new Lock(fd));
    } catch (LastErrorException e) {
      API.close(fd);
      if (e.getErrorCode() == EWOULDBLOCK) {
        return Optional.empty();
      }
      throw new IOException(file + ": flock failed (errno " + e.getErrorCode() + ")");
    }
  }

  /** Sends {@code signal} (a name of {@link #SIGNALS}) to {@code pid}. */
  static void kill(long pid, String signal) throws IOException {
    try {
      API.kill((int) pid, SIGNALS.get(signal));
    } catch (LastErrorException e) {
      throw new IOException(
          "kill -" + signal + " " + pid + " failed (errno " + e.getErrorCode() + ")");
    }
  }
}
