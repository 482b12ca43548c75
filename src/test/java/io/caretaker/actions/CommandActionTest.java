package io.caretaker.actions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.caretaker.actions.RunRecord.Outcome;
import io.caretaker.config.ActionSpec;
import io.caretaker.config.ConfigLoader;
import io.caretaker.config.MaintenanceConfig;
import io.caretaker.run.ActionExecutor;
import io.caretaker.run.ActionExecutor.RunOptions;
import io.caretaker.run.Maintenance;
import io.caretaker.run.RunHistory;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandActionTest {
  @TempDir Path dir;

  private static Map<String, Object> run(ActionSpec.Command spec, boolean dryRun) throws Exception {
    return new CommandAction(spec, new Redactor(List.of("s3cret-token")))
        .run(new ActionContext("cmd", dryRun, Trigger.manual("t")));
  }

  @Test
  void runsArgvWithoutAShellWithEnvAndWorkdir() throws Exception {
    Map<String, Object> details =
        run(
            new ActionSpec.Command(
                List.of("sh", "-c", "pwd; echo \"$GREETING\"; echo '$HOME stays literal' >&2"),
                Map.of("GREETING", "hello feed"),
                Optional.of(dir)),
            false);
    assertThat(details).containsEntry("exit_code", 0);
    assertThat((String) details.get("output_tail"))
        .contains(dir.toRealPath().toString(), "hello feed", "$HOME stays literal");
    // argv is passed as is: shell syntax in an argument is not interpreted.
    Map<String, Object> literal =
        run(
            new ActionSpec.Command(List.of("echo", "a;", "$(id)"), Map.of(), Optional.empty()),
            false);
    assertThat((String) literal.get("output_tail")).isEqualTo("a; $(id)\n");
  }

  @Test
  void theOutputKeptHasKnownSecretsMasked() throws Exception {
    Map<String, Object> details =
        run(
            new ActionSpec.Command(
                List.of("sh", "-c", "echo token=s3cret-token key=$FEED_API_KEY mode=$MODE"),
                Map.of("FEED_API_KEY", "k3y-of-the-feed", "MODE", "plain-mode"),
                Optional.empty()),
            false);
    assertThat((String) details.get("output_tail"))
        .isEqualTo("token=[REDACTED] key=[REDACTED] mode=plain-mode\n");
  }

  @Test
  void nonZeroExitIsAFailureWithTheOutputTail() {
    assertThatThrownBy(
            () ->
                run(
                    new ActionSpec.Command(
                        List.of(
                            "sh",
                            "-c",
                            "head -c 10000 /dev/zero | tr '\\0' x; echo; echo broken; exit 3"),
                        Map.of(),
                        Optional.empty()),
                    false))
        .isInstanceOf(ActionFailure.class)
        .hasMessage("exit code 3")
        .satisfies(
            e -> {
              Map<String, Object> details = ((ActionFailure) e).details();
              assertThat(details).containsEntry("exit_code", 3);
              assertThat((String) details.get("output_tail"))
                  .endsWith("broken\n")
                  .hasSize(CommandAction.TAIL_BYTES);
            });
  }

  @Test
  void missingProgramIsAClearFailure() {
    assertThatThrownBy(
            () ->
                run(
                    new ActionSpec.Command(List.of("/no/such/program"), Map.of(), Optional.empty()),
                    false))
        .isInstanceOf(ActionFailure.class)
        .hasMessageStartingWith("cannot start /no/such/program");
  }

  @Test
  void dryRunRunsNothing() throws Exception {
    Path marker = dir.resolve("ran");
    Map<String, Object> details =
        run(
            new ActionSpec.Command(List.of("touch", marker.toString()), Map.of(), Optional.empty()),
            true);
    assertThat(details).containsEntry("would_run", true);
    assertThat(marker).doesNotExist();
  }

  @Test
  void timeoutKillsTheChildAndItsChildren() throws Exception {
    Path pids = dir.resolve("pids");
    var configs =
        ConfigLoader.parse(
                "t.yml",
                """
        actions:
          hang: { type: command, timeout: 1s, argv: [sh, -c, "sleep 300 & echo $! > %s; sleep 300 & echo $! >> %s; wait"] }
        """
                    .formatted(pids, pids),
                Map.of())
            .actions();
    try (ActionExecutor executor =
        new ActionExecutor(
            configs,
            Map.of(
                "hang",
                new CommandAction(
                    (ActionSpec.Command) configs.get("hang").spec(), new Redactor(List.of()))),
            new RunHistory(dir.resolve("runs.jsonl"), 10),
            new Maintenance(new MaintenanceConfig(List.of())),
            new PrometheusRegistry(),
            Clock.systemUTC(),
            1)) {
      RunRecord r =
          executor
              .submit("hang", Trigger.manual("t"), RunOptions.NORMAL)
              .result()
              .get(30, TimeUnit.SECONDS);
      assertThat(r.outcome()).isEqualTo(Outcome.TIMEOUT);
      await().atMost(Duration.ofSeconds(10)).until(() -> !executor.running("hang"));
    }
    List<Long> sleepers = Files.readAllLines(pids).stream().map(Long::parseLong).toList();
    assertThat(sleepers).hasSize(2);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(sleepers)
                    .allSatisfy(
                        pid ->
                            assertThat(
                                    ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                                .as("sleep %d alive", pid)
                                .isFalse()));
  }
}
