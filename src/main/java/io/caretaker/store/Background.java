package io.caretaker.store;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs bulk work (compressing, archiving) on a fresh thread at a lowered CPU priority, so a trading
 * system on the same host keeps its cores. Linux applies {@code setpriority} per thread; Java's own
 * thread priorities do nothing there. Each call gets its own thread because an unprivileged process
 * cannot raise a thread's priority back once lowered.
 */
public final class Background {
  /** The nice value bulk work runs at (0 normal, 19 lowest). */
  static final int NICE = 10;

  private static final Logger log = LoggerFactory.getLogger(Background.class);

  private Background() {}

  /** glibc's gettid and setpriority, through JNA (which OSHI already brings). */
  interface LibC extends Library {
    int gettid();

    int setpriority(int which, int who, int prio);
  }

  private static final LibC LIBC = load();

  private static LibC load() {
    try {
      return Native.load("c", LibC.class);
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      log.warn(
          "Cannot lower the priority of bulk work ({}); it runs at normal priority", e.toString());
      return null;
    }
  }

  /** The calling thread's nice value after lowering, or 0 when it could not be lowered. */
  static int lowerCurrentThread() {
    if (LIBC == null) {
      return 0;
    }
    try {
      return LIBC.setpriority(0 /* PRIO_PROCESS: a thread id on Linux */, LIBC.gettid(), NICE) == 0
          ? NICE
          : 0;
    } catch (UnsatisfiedLinkError e) {
      return 0;
    }
  }

  /** Runs {@code work} on a new low-priority thread; an interrupt of the caller reaches it. */
  public static <T> T run(String name, Callable<T> work) throws Exception {
    AtomicReference<T> result = new AtomicReference<>();
    AtomicReference<Exception> failure = new AtomicReference<>();
    Thread thread =
        new Thread(
            () -> {
              lowerCurrentThread();
              try {
                result.set(work.call());
              } catch (Exception e) {
                failure.set(e);
              }
            },
            name);
    thread.setDaemon(true);
    thread.start();
    try {
      thread.join();
    } catch (InterruptedException e) {
      thread.interrupt();
      throw e;
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    return result.get();
  }
}
