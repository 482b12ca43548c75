package io.caretaker.actions;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * A child JVM for the jvm-gc tests (run with a young generation far larger than its garbage, so
 * only a requested GC collects): fills its heap with garbage, then reports its own GC count
 * ("gc=N") every 50 ms, so the test reads the count independently of the action. Exits when its
 * stdin closes (the test ends) or after 2 minutes.
 */
public final class GarbageHolder {
  static volatile Object sink;

  public static void main(String[] args) throws Exception {
    for (int i = 0; i < 60; i++) {
      sink = new byte[1 << 20]; // 60 MiB allocated, all but the last unreachable
    }
    Thread watchdog =
        new Thread(
            () -> {
              try {
                while (System.in.read() >= 0) {
                  // keep reading until the parent closes our stdin
                }
              } catch (IOException ignored) {
                // parent gone
              }
              System.exit(0);
            });
    watchdog.setDaemon(true);
    watchdog.start();
    long deadline = System.currentTimeMillis() + 120_000;
    while (System.currentTimeMillis() < deadline) {
      long count = 0;
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        count += Math.max(0, gc.getCollectionCount());
      }
      System.out.println("gc=" + count);
      Thread.sleep(50);
    }
  }
}
