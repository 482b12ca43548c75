package io.caretaker;

import io.caretaker.cli.BackupCommand;
import io.caretaker.cli.CheckConfigCommand;
import io.caretaker.cli.ClientCommands;
import io.caretaker.cli.RulesCommand;
import io.caretaker.config.Version;
import io.caretaker.daemon.ServeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/** The command line: {@code caretaker serve}, {@code caretaker check-config FILE}, ... */
@Command(
    name = "caretaker",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Keeps trading hosts observable and tidy.",
    subcommands = {
      ServeCommand.class,
      CheckConfigCommand.class,
      RulesCommand.class,
      ClientCommands.Status.class,
      ClientCommands.Actions.class,
      ClientCommands.Action.class,
      ClientCommands.Runs.class,
      ClientCommands.Schedules.class,
      ClientCommands.Schedule.class,
      ClientCommands.Maintenance.class,
      ClientCommands.ReportCommand.class,
      BackupCommand.class,
      HelpCommand.class
    })
public final class Main {
  /** Exit codes of every command are picocli's: 0 ok, 1 failure, 2 usage or configuration error. */
  public static void main(String[] args) {
    int code;
    try {
      code = run(args);
    } catch (Throwable t) { // an Error past picocli: still exit, or the server's threads live on
      t.printStackTrace();
      code = CommandLine.ExitCode.SOFTWARE;
    }
    System.exit(code);
  }

  static int run(String... args) {
    return new CommandLine(new Main()).execute(args);
  }
}
