package io.caretaker.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The shaded jar run as a user runs it, in its own JVM and working directory. */
public final class AgentProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("Listening on https?://[^:]+:(\\d+)");

  private final Process process;
  private final Path stdout;
  private final Path stderr;

  private AgentProcess(Process process, Path stdout, Path stderr) {
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  public static Path jar() {
    Path jar = Path.of(System.getProperty("caretaker.jar", "target/caretaker.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new AssertionError(jar + " missing: run `mvn package` first (mvn verify does)");
    }
    return jar.toAbsolutePath();
  }

  /** Starts {@code java -jar caretaker.jar args...} in {@code dir}. */
  public static AgentProcess start(Path dir, String... args) throws IOException {
    return start(dir, Map.of(), args);
  }

  /** The same, with {@code env} added to the child's environment. */
  public static AgentProcess start(Path dir, Map<String, String> env, String... args)
      throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                jar().toString()));
    command.addAll(List.of(args));
    return launch(dir, env, command);
  }

  /** Starts {@code command} (a launcher script, say) in {@code dir}, as {@link #start} does. */
  public static AgentProcess launch(Path dir, Map<String, String> env, List<String> command)
      throws IOException {
    Path out = Files.createTempFile(dir, "stdout", ".txt");
    Path err = Files.createTempFile(dir, "stderr", ".txt");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    builder.environment().putAll(env);
    Process p = builder.start();
    return new AgentProcess(p, out, err);
  }

  /** Runs a command to completion and returns its exit code and output. */
  public static Tools.Result run(Path dir, String... args) throws Exception {
    try (AgentProcess p = start(dir, args)) {
      int code = p.waitFor(Duration.ofSeconds(60));
      return new Tools.Result(code, p.stdout() + p.stderr());
    }
  }

  /** Waits for the "Listening on" log line and returns the bound port. */
  public int awaitPort() {
    int[] port = new int[1];
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new AssertionError("agent exited " + process.exitValue() + ":\n" + stderr());
              }
              Matcher m = LISTENING.matcher(stderr());
              if (m.find()) {
                port[0] = Integer.parseInt(m.group(1));
                return true;
              }
              return false;
            });
    return port[0];
  }

  public long pid() {
    return process.pid();
  }

  /** Sends SIGTERM (what systemd and `kill` send). */
  public void terminate() {
    process.destroy();
  }

  public int waitFor(Duration limit) throws InterruptedException {
    if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("agent still running after " + limit + ":\n" + stderr());
    }
    return process.exitValue();
  }

  public String stdout() {
    return read(stdout);
  }

  public String stderr() {
    return read(stderr);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
