package io.caretaker.cli;

import io.caretaker.config.Config;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code caretaker check-config FILE}: every problem with file:line, exit 2 when any. */
@Command(
    name = "check-config",
    mixinStandardHelpOptions = true,
    description = "Validate a configuration file and print every problem with file:line.")
public final class CheckConfigCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "The configuration file to check.")
  Path file;

  @Override
  public Integer call() {
    Optional<Config> config = ConfigFiles.load(file, spec.commandLine().getErr());
    if (config.isEmpty()) {
      return ExitCode.USAGE;
    }
    Config c = config.get();
    spec.commandLine()
        .getOut()
        .printf(
            "%s: OK (%d rules, %d actions, %d schedules, %d routes)%n",
            file,
            c.rules().size(),
            c.actions().size(),
            c.schedules().size(),
            c.alertmanager().routes().size());
    return ExitCode.OK;
  }
}
