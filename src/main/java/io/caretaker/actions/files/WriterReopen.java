package io.caretaker.actions.files;

import io.caretaker.actions.ActionContext;
import io.caretaker.actions.ActionFailure;
import io.caretaker.actions.CommandAction;
import io.caretaker.actions.Redactor;
import io.caretaker.config.ActionSpec;
import io.caretaker.config.ActionSpec.Reopen;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * After a rename, the writer must let go of the renamed file: told by a signal (to the pid in a
 * pidfile, or to every process a regex matches) or by a command (run as the command action runs
 * one: no shell, a clean environment). Whether it did is then checked in /proc, so a writer that
 * does not reopen is reported, not hidden.
 */
final class WriterReopen {
  /** How long a writer has to let go of the rotated file after being told. */
  static final Duration LET_GO = Duration.ofSeconds(5);

  private static final long POLL_MS = 20;

  private WriterReopen() {}

  /** Tells the writer; returns what was done, for the run record. */
  static Map<String, Object> tell(Reopen how, ActionContext ctx, Redactor redactor)
      throws Exception {
    Map<String, Object> done = new LinkedHashMap<>();
    if (how instanceof Reopen.Command c) {
      done.putAll(
          new CommandAction(new ActionSpec.Command(c.argv(), Map.of(), Optional.empty()), redactor)
              .run(ctx));
      return done;
    }
    Reopen.Signal s = (Reopen.Signal) how;
    List<Long> pids = s.pidfile().isPresent() ? List.of(pidIn(s.pidfile().get())) : matching(s);
    if (pids.isEmpty()) {
      throw new ActionFailure(
          "no process matches " + s.process().orElseThrow().pattern() + " to send " + s.signal(),
          done);
    }
    for (long pid : pids) {
      LibC.kill(pid, s.signal());
    }
    done.put("signal", s.signal());
    done.put("pids", pids);
    return done;
  }

  private static long pidIn(Path pidfile) throws IOException {
    String text = Files.readString(pidfile).trim();
    if (!text.matches("\\d{1,10}") || Long.parseLong(text) < 2) {
      throw new IOException(pidfile + " does not hold a pid (found \"" + abbreviate(text) + "\")");
    }
    long pid = Long.parseLong(text);
    if (ProcessHandle.of(pid).isEmpty()) {
      throw new IOException(pidfile + " names pid " + pid + ", which is not running");
    }
    return pid;
  }

  private static String abbreviate(String text) {
    return text.length() > 40 ? text.substring(0, 40) + "..." : text;
  }

  private static List<Long> matching(Reopen.Signal s) {
    long self = ProcessHandle.current().pid();
    return ProcessHandle.allProcesses()
        .filter(p -> p.pid() != self)
        .filter(
            p ->
                p.info()
                    .commandLine()
                    .map(c -> s.process().orElseThrow().matcher(c).find())
                    .orElse(false))
        .map(ProcessHandle::pid)
        .toList();
  }

  /** Waits up to {@link #LET_GO} until no process writes to {@code file}; returns those left. */
  static List<Long> awaitLetGo(Path file) throws InterruptedException {
    long deadline = System.nanoTime() + LET_GO.toNanos();
    List<Long> writers = writersOf(file);
    while (!writers.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(
          POLL_MS); // the writer's own time to handle the signal; the run's timeout interrupts
      writers = writersOf(file);
    }
    return writers;
  }

  /** Processes (that this user may inspect) with {@code file} open for writing. */
  static List<Long> writersOf(Path file) {
    String target = file.toString();
    long self = ProcessHandle.current().pid();
    List<Long> writers = new ArrayList<>();
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path proc : procs) {
        long pid = Long.parseLong(proc.getFileName().toString());
        if (pid != self && writes(proc, target)) {
          writers.add(pid);
        }
      }
    } catch (IOException e) {
      // /proc unreadable: nothing can be said, and nothing is claimed
    }
    return writers;
  }

  private static boolean writes(Path proc, String target) {
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
      for (Path fd : fds) {
        if (target.equals(Files.readSymbolicLink(fd).toString())
            && openForWriting(proc.resolve("fdinfo").resolve(fd.getFileName()))) {
          return true;
        }
      }
    } catch (IOException | RuntimeException e) {
      // another user's process, or one that just exited
    }
    return false;
  }

  /** fdinfo's "flags:" line is octal; its low two bits are O_WRONLY (1) or O_RDWR (2). */
  private static boolean openForWriting(Path fdinfo) throws IOException {
    for (String line : Files.readAllLines(fdinfo)) {
      if (line.startsWith("flags:")) {
        return (Integer.parseInt(line.substring(6).trim(), 8) & 3) != 0;
      }
    }
    return false;
  }
}
