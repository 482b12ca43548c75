package io.caretaker.actions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.caretaker.config.ActionSpec.JvmTarget;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** jvm-gc against real child JVMs that hold garbage. */
class JvmGcActionTest {
  private final List<Child> children = new ArrayList<>();

  /** A running GarbageHolder and the last GC count it printed. */
  record Child(Process process, AtomicLong gcCount) {
    long pid() {
      return process.pid();
    }
  }

  @AfterEach
  void stopChildren() {
    children.forEach(c -> c.process().destroyForcibly());
  }

  private Child start(String... jvmFlags) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms512m",
                "-Xmx512m",
                "-Xmn320m",
                "-XX:+UseSerialGC"));
    command.addAll(List.of(jvmFlags));
    command.addAll(
        List.of("-cp", System.getProperty("java.class.path"), GarbageHolder.class.getName()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    Child child = new Child(p, new AtomicLong(-1));
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                  if (line.startsWith("gc=")) {
                    child.gcCount().set(Long.parseLong(line.substring(3)));
                  }
                }
              } catch (Exception ignored) {
                // child ended
              }
            });
    reader.setDaemon(true);
    reader.start();
    children.add(child);
    await().atMost(Duration.ofSeconds(30)).until(() -> child.gcCount().get() >= 0);
    return child;
  }

  private static Map<String, Object> run(JvmTarget target, boolean dryRun) throws Exception {
    return new JvmGcAction(List.of(target))
        .run(new ActionContext("gc", dryRun, Trigger.manual("test")));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> onlyTarget(Map<String, Object> details) {
    return ((List<Map<String, Object>>) details.get("targets")).get(0);
  }

  @Test
  void fullGcInAChildJvmFreesItsGarbage() throws Exception {
    Child child = start();
    long before = child.gcCount().get();

    Map<String, Object> details = run(new JvmTarget.Pid(child.pid()), false);

    Map<String, Object> target = onlyTarget(details);
    assertThat(target).containsEntry("pid", child.pid());
    assertThat(((Number) target.get("freed_bytes")).longValue()).isGreaterThan(10L << 20);
    assertThat(((Number) details.get("bytes_freed")).longValue()).isGreaterThan(10L << 20);
    await().atMost(Duration.ofSeconds(5)).until(() -> child.gcCount().get() > before);
  }

  @Test
  void mainClassTargetFindsTheJvmByItsMainClass() throws Exception {
    Child child = start();
    Map<String, Object> details =
        run(new JvmTarget.MainClass(Pattern.compile("GarbageHolder")), false);
    assertThat(onlyTarget(details))
        .containsEntry("pid", child.pid())
        .containsKey("heap_used_after_bytes");
  }

  @Test
  void targetWithDisableExplicitGcIsAFailureThatSaysSo() throws Exception {
    Child child = start("-XX:+DisableExplicitGC");
    long before = child.gcCount().get();
    assertThatThrownBy(() -> run(new JvmTarget.Pid(child.pid()), false))
        .isInstanceOf(ActionFailure.class)
        .hasMessageContaining("DisableExplicitGC")
        .satisfies(
            e ->
                assertThat(onlyTarget(((ActionFailure) e).details()))
                    .containsKey("error")
                    .doesNotContainKey("freed_bytes"));
    assertThat(child.gcCount().get()).isEqualTo(before);
  }

  @Test
  void goneTargetIsAFailureWithAReasonNotAnException() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    assertThatThrownBy(() -> run(new JvmTarget.Pid(gone.pid()), false))
        .isInstanceOf(ActionFailure.class)
        .hasMessageContaining("cannot attach to pid " + gone.pid());
    assertThatThrownBy(() -> run(new JvmTarget.MainClass(Pattern.compile("NoSuchMain")), false))
        .hasMessageContaining("no running JVM matches");
  }

  @Test
  void dryRunReportsTheHeapAndCollectsNothing() throws Exception {
    Child child = start();
    Thread.sleep(200); // let the child print a settled count
    long before = child.gcCount().get();
    Map<String, Object> target = onlyTarget(run(new JvmTarget.Pid(child.pid()), true));
    assertThat(target).containsEntry("would_collect", true).containsKey("heap_used_before_bytes");
    Thread.sleep(200);
    assertThat(child.gcCount().get()).isEqualTo(before);
  }

  @Test
  void selfTargetCollectsThisJvm() throws Exception {
    GarbageHolder.sink = new byte[32 << 20];
    GarbageHolder.sink = null;
    Map<String, Object> target = onlyTarget(run(new JvmTarget.Self(), false));
    assertThat(target).containsEntry("target", "self");
    assertThat(((Number) target.get("collections")).longValue()).isPositive();
  }
}
