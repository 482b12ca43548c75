package io.caretaker.daemon;

import io.caretaker.cli.ConfigFiles;
import io.caretaker.config.Config;
import io.caretaker.config.ConfigWarnings;
import io.caretaker.daemon.Daemon.StartupException;
import java.io.PrintWriter;
import java.net.BindException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/** {@code caretaker serve}: runs the daemon until SIGTERM or SIGINT, then stops cleanly, exit 0. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Run the daemon (with the embedded default config when --config is not given).")
public final class ServeCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

  @Spec CommandSpec spec;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "Configuration file (YAML). Default: the embedded default.")
  Path config;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    Optional<Config> loaded = ConfigFiles.load(config, err);
    if (loaded.isEmpty()) {
      return ExitCode.USAGE;
    }
    LogSetup.apply(loaded.get().logging());
    ConfigWarnings.of(loaded.get()).forEach(log::warn);
    CountDownLatch stop = new CountDownLatch(1);
    // Handling the signals ourselves (rather than a shutdown hook) lets a stop by SIGTERM exit 0.
    Signal.handle(new Signal("TERM"), s -> stop.countDown());
    Signal.handle(new Signal("INT"), s -> stop.countDown());
    Daemon daemon;
    try {
      daemon = Daemon.start(loaded.get());
    } catch (StartupException e) {
      err.println(describe(e, loaded.get()));
      err.flush();
      // Start-up fails on a setting (a port in use, an unwritable data_dir): a config error.
      return ExitCode.USAGE;
    }
    try {
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("Stopping");
    daemon.close();
    log.info("Stopped");
    return ExitCode.OK;
  }

  private static String describe(StartupException e, Config config) {
    if (e.getCause() instanceof BindException) {
      return e.key()
          + ": cannot listen on "
          + config.server().host()
          + ":"
          + config.server().port()
          + ": "
          + e.getMessage()
          + " (another process holds the port; choose another server.port, or 0 for any)";
    }
    return e.key() + ": start-up failed: " + e.getMessage();
  }
}
