package io.caretaker.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** External programs the tests use; a missing one fails loudly, saying how to install it. */
public final class Tools {
  private Tools() {}

  /** The program's path on PATH, or an AssertionError naming the Debian package that has it. */
  public static Path require(String program, String debianPackage) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Path.of(dir, program);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError(
        program
            + " not found on PATH: install it with `apt-get install -y "
            + debianPackage
            + "` (./test.sh does this when run as root)");
  }

  /** Runs a command with {@code stdin}, returns exit code and combined output. */
  public static Result run(List<String> command, String stdin)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try (var in = p.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(command + " did not finish within 60 s");
    }
    return new Result(p.exitValue(), out);
  }

  public record Result(int exitCode, String output) {}
}
