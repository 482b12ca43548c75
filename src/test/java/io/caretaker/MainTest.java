package io.caretaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line as a whole: every command's help and its usage errors. */
class MainTest {
  /** "http" not followed by "://" and more on the same line: a URL the help wrapped. */
  private static final Pattern BROKEN_URL = Pattern.compile("https?(?!://\\S)|^\\s*//");

  private static List<CommandLine> everyCommand(CommandLine root) {
    List<CommandLine> all = new ArrayList<>(List.of(root));
    root.getSubcommands().values().forEach(c -> all.addAll(everyCommand(c)));
    return all;
  }

  @Test
  void noHelpTextBreaksAUrlAcrossLines() {
    List<String> broken = new ArrayList<>();
    for (CommandLine c : everyCommand(new CommandLine(new Main()))) {
      c.getUsageMessage()
          .lines()
          .filter(l -> BROKEN_URL.matcher(l).find())
          .forEach(l -> broken.add(c.getCommandSpec().qualifiedName() + ": " + l));
    }
    assertThat(broken).isEmpty();
  }

  private static int exit(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setErr(new PrintWriter(new StringWriter()));
    cli.setOut(new PrintWriter(new StringWriter()));
    return cli.execute(args);
  }

  /** Caught before any agent is asked: the URL points nowhere, and the exit is still 2. */
  @Test
  void usageErrorsExitTwo() {
    String nowhere = "--url=http://127.0.0.1:1";
    assertThat(exit("maintenance", "on", "--for", "2x", nowhere)).isEqualTo(2);
    assertThat(exit("maintenance", "on", "--for", "0s", nowhere)).isEqualTo(2);
    assertThat(exit("runs", "--limit", "0", nowhere)).isEqualTo(2);
    assertThat(exit("runs", "--limit", "10001", nowhere)).isEqualTo(2);
    assertThat(exit("runs", "--limit", "x", nowhere)).isEqualTo(2);
    assertThat(exit("nosuch")).isEqualTo(2);
    assertThat(exit("check-config", "a.yml", "-c", "b.yml")).isEqualTo(2);
    assertThat(exit("runs", nowhere)).as("an unreachable agent is a failure").isEqualTo(1);
  }
}
