package io.caretaker.cli;

import io.caretaker.config.Config;
import io.caretaker.rules.PrometheusRules;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code caretaker rules export --format prometheus}: the local rules as Prometheus alerts. */
@Command(
    name = "rules",
    mixinStandardHelpOptions = true,
    description = "The local rules.",
    subcommands = RulesCommand.Export.class)
public final class RulesCommand {
  /** The formats the rules can be exported in. */
  enum Format {
    prometheus
  }

  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      description =
          "Print Prometheus alerting rules equivalent to the local rules (warning and"
              + " critical as separate alerts, with severity, for, and a remediate label).")
  static final class Export implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = {"-c", "--config"},
        paramLabel = "FILE",
        description = "The configuration file (default: the embedded default config).")
    Path config;

    @Option(
        names = "--format",
        required = true,
        paramLabel = "FORMAT",
        description = "Output format: ${COMPLETION-CANDIDATES}.")
    Format format;

    @Override
    public Integer call() {
      Optional<Config> loaded = ConfigFiles.load(config, spec.commandLine().getErr());
      if (loaded.isEmpty()) {
        return ExitCode.USAGE;
      }
      spec.commandLine().getOut().print(PrometheusRules.export(loaded.get().rules()));
      spec.commandLine().getOut().flush();
      return ExitCode.OK;
    }
  }
}
