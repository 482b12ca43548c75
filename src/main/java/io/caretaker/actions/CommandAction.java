package io.caretaker.actions;

import io.caretaker.config.ActionSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs the configured argv, never through a shell, in a clean environment: PATH, LANG and HOME from
 * the agent, plus what {@code env:} names; never the agent's own variables (its token, a Redis
 * password). A non-zero exit is a failure; the exit code and the last {@value #TAIL_BYTES} bytes of
 * output, with known secrets masked, go into the run record. When the run is cancelled (its
 * timeout), the process and all its descendants get SIGTERM, then SIGKILL.
 */
public final class CommandAction implements Action {
  static final int TAIL_BYTES = 4096;
  private static final long KILL_GRACE_MS = 3000;

  /** What a child inherits from the agent's environment. */
  static final List<String> INHERITED = List.of("PATH", "LANG", "HOME");

  private static final String DEFAULT_PATH =
      "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin" + ":/sbin:/bin";
  private static final Pattern SECRET_NAME =
      Pattern.compile("(?i).*(token|secret|passw|key|credential|auth).*");

  private final ActionSpec.Command spec;
  private final Redactor redactor;

  public CommandAction(ActionSpec.Command spec, Redactor redactor) {
    this.spec = spec;
    this.redactor =
        redactor.with(
            spec.env().entrySet().stream()
                .filter(e -> SECRET_NAME.matcher(e.getKey()).matches())
                .map(Map.Entry::getValue)
                .toList());
  }

  @Override
  // Long on purpose: one process's life: start, read its output, wait, kill its tree on cancel.
  public Map<String, Object> run(ActionContext ctx) throws Exception {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("argv", spec.argv().stream().map(redactor::redact).toList());
    if (ctx.dryRun()) {
      details.put("would_run", true);
      return details;
    }
    ProcessBuilder pb = new ProcessBuilder(spec.argv()).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.clear();
    for (String name : INHERITED) {
      String value = System.getenv(name);
      if (value != null) {
        env.put(name, value);
      }
    }
    env.putIfAbsent("PATH", DEFAULT_PATH);
    env.putAll(spec.env());
    spec.workdir().ifPresent(dir -> pb.directory(dir.toFile()));
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new ActionFailure(
          "cannot start " + spec.argv().get(0) + ": " + e.getMessage(), details);
    }
    details.put("pid", process.pid());
    Tail tail = new Tail(process.getInputStream(), ctx.progress());
    tail.start();
    try {
      int exit = process.waitFor();
      tail.join(1000);
      details.put("exit_code", exit);
      details.put("output_tail", redactor.redact(tail.text()));
      if (exit != 0) {
        throw new ActionFailure("exit code " + exit, details);
      }
      return details;
    } catch (InterruptedException e) {
      killTree(process);
      throw e;
    }
  }

  /** Terminates the process and every descendant, found before the parent dies and orphans them. */
  static void killTree(Process process) {
    List<ProcessHandle> tree = process.descendants().toList();
    process.destroy();
    tree.forEach(ProcessHandle::destroy);
    long deadline = System.currentTimeMillis() + KILL_GRACE_MS;
    for (ProcessHandle h : Stream.concat(Stream.of(process.toHandle()), tree.stream()).toList()) {
      try {
        h.onExit().get(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
      } catch (Exception notYet) {
        h.destroyForcibly();
      }
    }
  }

  /**
   * Reads the output as it comes (so the child never blocks on a full pipe), keeping the end and
   * telling its length as the run's progress.
   */
  private static final class Tail extends Thread {
    private final InputStream in;
    private final Progress progress;
    private final byte[] ring = new byte[TAIL_BYTES];
    private long total;

    Tail(InputStream in, Progress progress) {
      super("caretaker-command-output");
      setDaemon(true);
      this.in = in;
      this.progress = progress;
    }

    @Override
    public void run() {
      byte[] buf = new byte[8192];
      try {
        for (int n; (n = in.read(buf)) > 0; ) {
          synchronized (this) {
            for (int i = 0; i < n; i++) {
              ring[(int) (total++ % TAIL_BYTES)] = buf[i];
            }
          }
          progress.set("output_bytes", total); // how far a long command has come, by its output
        }
      } catch (IOException closed) {
        // The process ended or was killed.
      }
    }

    synchronized String text() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      long start = Math.max(0, total - TAIL_BYTES);
      for (long i = start; i < total; i++) {
        out.write(ring[(int) (i % TAIL_BYTES)]);
      }
      return out.toString(StandardCharsets.UTF_8);
    }
  }
}
