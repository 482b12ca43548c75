package io.caretaker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BackgroundTest {
  /** The calling thread's nice value, as the kernel reports it (field 19 of its stat line). */
  private static int kernelNiceOfThisThread() throws Exception {
    String stat = Files.readAllLines(Path.of("/proc/thread-self/stat")).get(0);
    String[] afterName = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Integer.parseInt(afterName[16]); // fields 3.. follow the name; nice is field 19
  }

  @Test
  void bulkWorkRunsAtALoweredPriorityAndTheCallerDoesNot() throws Exception {
    int callerBefore = kernelNiceOfThisThread();
    assertThat(Background.run("test", BackgroundTest::kernelNiceOfThisThread))
        .isEqualTo(Background.NICE);
    assertThat(kernelNiceOfThisThread()).isEqualTo(callerBefore);
  }

  @Test
  void failuresReachTheCaller() {
    assertThatThrownBy(
            () ->
                Background.run(
                    "test",
                    () -> {
                      throw new IOException("disk full");
                    }))
        .hasMessage("disk full");
  }
}
