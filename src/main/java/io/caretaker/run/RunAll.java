package io.caretaker.run;

import io.caretaker.actions.RunRecord;
import io.caretaker.actions.Trigger;
import io.caretaker.run.ActionExecutor.RunOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs many actions through the executor, a few at a time: each still under its own cooldown,
 * maintenance and one-at-a-time rules (a skip is an answer, not an error), the next started as one
 * ends, so a long backup never makes the others wait on a full worker pool. The records come back
 * in the order the names were given.
 */
public final class RunAll {
  private RunAll() {}

  public static CompletableFuture<List<RunRecord>> run(
      ActionExecutor executor,
      List<String> names,
      Trigger trigger,
      RunOptions options,
      int atOnce) {
    ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>(names);
    Map<String, RunRecord> done = new ConcurrentHashMap<>();
    CompletableFuture<List<RunRecord>> all = new CompletableFuture<>();
    AtomicInteger lanes = new AtomicInteger(Math.max(1, Math.min(atOnce, names.size())));
    if (names.isEmpty()) {
      all.complete(List.of());
      return all;
    }
    Runnable finished =
        () -> {
          if (lanes.decrementAndGet() == 0) {
            List<RunRecord> inOrder = new ArrayList<>();
            names.forEach(n -> inOrder.add(done.get(n)));
            all.complete(inOrder);
          }
        };
    for (int i = lanes.get(); i > 0; i--) {
      next(executor, queue, done, trigger, options, finished);
    }
    return all;
  }

  /** Starts the next queued action; when it ends, the next after it (one lane). */
  private static void next(
      ActionExecutor executor,
      ConcurrentLinkedQueue<String> queue,
      Map<String, RunRecord> done,
      Trigger trigger,
      RunOptions options,
      Runnable laneDone) {
    String name = queue.poll();
    if (name == null) {
      laneDone.run();
      return;
    }
    executor
        .submit(name, trigger, options)
        .result()
        .whenComplete(
            (record, error) -> {
              if (record != null) {
                done.put(name, record);
              }
              next(executor, queue, done, trigger, options, laneDone);
            });
  }
}
