package io.caretaker.cli;

import io.caretaker.config.Config;
import io.caretaker.config.ConfigLoader;
import io.caretaker.config.ConfigWarnings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code caretaker check-config [FILE]}: every problem with file:line, exit 2 when any; paths the
 * config names that do not exist are warnings (exit 0).
 */
@Command(
    name = "check-config",
    mixinStandardHelpOptions = true,
    description = {
      "Validate a configuration file and print every problem with file:line.",
      "Paths it names that do not exist are warnings (exit 0)."
    })
public final class CheckConfigCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "FILE",
      arity = "0..1",
      description = "The configuration file to check (or -c FILE; neither: the embedded default).")
  Path file;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "The configuration file to check.")
  Path config;

  @Override
  public Integer call() {
    if (file != null && config != null && !file.equals(config)) {
      throw new ParameterException(spec.commandLine(), "Give the file once: FILE or -c FILE");
    }
    Path checked = file != null ? file : config;
    Optional<Config> loaded = ConfigFiles.load(checked, spec.commandLine().getErr());
    if (loaded.isEmpty()) {
      return ExitCode.USAGE;
    }
    Config c = loaded.get();
    PrintWriter out = spec.commandLine().getOut();
    ConfigWarnings.of(c).forEach(out::println);
    out.printf(
        "%s: OK (%d rules, %d actions, %d schedules, %d routes)%n",
        checked == null ? ConfigLoader.DEFAULT_NAME : checked,
        c.rules().size(),
        c.actions().size(),
        c.schedules().size(),
        c.alertmanager().routes().size());
    return ExitCode.OK;
  }
}
