package io.caretaker.cli;

import io.caretaker.actions.files.BackupAction;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code caretaker backup verify FILE}: re-checks an archive offline. */
@Command(
    name = "backup",
    mixinStandardHelpOptions = true,
    description = "Backup archives.",
    subcommands = BackupCommand.Verify.class)
public final class BackupCommand {
  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = "Read a backup archive whole: gzip CRC, every entry's size. Exit 1 if bad.")
  static final class Verify implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The .tar.gz archive to check.")
    Path file;

    @Override
    public Integer call() {
      try {
        spec.commandLine().getOut().println(BackupAction.verify(file));
        return ExitCode.OK;
      } catch (IOException e) {
        spec.commandLine().getErr().println(file + ": BAD: " + e);
        return ExitCode.SOFTWARE;
      }
    }
  }
}
