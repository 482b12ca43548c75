package io.caretaker.collect;

import io.caretaker.metrics.Family;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every collector once per interval, in parallel on a few worker threads (as many as cores),
 * each cut off at the collect timeout, and publishes the result as one {@link Snapshot}. Registered
 * in the Prometheus registry, it hands the last complete snapshot to every scrape, so a slow
 * collector never delays {@code /metrics}.
 *
 * <p>A collector that throws or times out loses its values for that cycle, is counted in {@code
 * caretaker_collector_errors_total} and logged once per failure streak; the others publish. A
 * collector still stuck from an earlier cycle (statvfs on a dead NFS mount) is not started again
 * until it returns, so stuck threads never pile up; the pool grows by one thread for each such
 * collector, so the healthy ones always have their workers. (A thread per collector, as before,
 * kept 12 threads alive for work that takes two cores a few milliseconds.)
 */
public final class CollectionLoop implements MultiCollector, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CollectionLoop.class);
  private static final int WORKERS = Math.max(2, Runtime.getRuntime().availableProcessors());

  private final List<Collector> collectors;
  private final Duration timeout;
  private final Clock clock;
  private final ThreadPoolExecutor workers =
      new ThreadPoolExecutor(
          WORKERS,
          Integer.MAX_VALUE,
          1,
          TimeUnit.MINUTES,
          new LinkedBlockingQueue<>(),
          daemon("caretaker-collector"));
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(daemon("caretaker-collection"));
  private final List<Consumer<Snapshot>> listeners = new CopyOnWriteArrayList<>();

  // Touched only by the cycle, which never runs twice at once (synchronized collectOnce).
  private final Map<String, Future<Result>> inFlight = new HashMap<>();
  private final Map<String, Long> errors = new LinkedHashMap<>();
  private final Map<String, String> failing = new HashMap<>();

  private volatile Snapshot latest;

  private record Result(List<MetricSnapshot> metrics, long nanos) {}

  public CollectionLoop(List<Collector> collectors, Duration timeout, Clock clock) {
    this.collectors = List.copyOf(collectors);
    this.timeout = timeout;
    this.clock = clock;
    collectors.forEach(c -> errors.put(c.name(), 0L));
  }

  /** Collects now, then every {@code interval}; cycles never overlap. */
  public void start(Duration interval) {
    ticker.scheduleAtFixedRate(this::collectSafely, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Called with each new snapshot, on the collection thread. */
  public void addListener(Consumer<Snapshot> listener) {
    listeners.add(listener);
  }

  /** The last complete snapshot; empty until the first cycle finished. */
  public Optional<Snapshot> latest() {
    return Optional.ofNullable(latest);
  }

  @Override
  public MetricSnapshots collect() {
    Snapshot s = latest;
    return s == null ? MetricSnapshots.of() : s.metrics();
  }

  /** Runs one cycle and publishes its snapshot. */
  // Long on purpose: the framework's cycle: each collector timed, cut off at its timeout, recorded.
  public synchronized Snapshot collectOnce() {
    long started = System.nanoTime();
    long deadline = started + timeout.toNanos();
    Map<String, Future<Result>> running = new LinkedHashMap<>();
    Map<String, String> outcome = new LinkedHashMap<>();
    long stuck = inFlight.values().stream().filter(f -> !f.isDone()).count();
    workers.setCorePoolSize(WORKERS + (int) stuck);
    for (Collector c : collectors) {
      Future<Result> previous = inFlight.get(c.name());
      if (previous != null && !previous.isDone()) {
        outcome.put(c.name(), "still running from an earlier cycle");
      } else {
        Future<Result> f = workers.submit(() -> timed(c));
        inFlight.put(c.name(), f);
        running.put(c.name(), f);
      }
    }

    Map<String, MetricSnapshot> metrics = new LinkedHashMap<>();
    Family duration =
        Family.gauge(
            "caretaker_collector_duration_seconds",
            "How long each collector took in the last cycle (the timeout when it was cut off).",
            "collector");
    Family success =
        Family.gauge(
            "caretaker_collector_success",
            "1 when the collector's last run succeeded, 0 when it failed or timed out.",
            "collector");
    for (Collector c : collectors) {
      String name = c.name();
      Future<Result> f = running.get(name);
      double seconds = timeout.toNanos() / 1e9;
      if (f != null) {
        try {
          Result r = f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          seconds = r.nanos() / 1e9;
          r.metrics().forEach(m -> addUnique(metrics, m, name));
        } catch (TimeoutException e) {
          outcome.put(name, "timed out after " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
          outcome.put(name, String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          outcome.put(name, "interrupted");
        }
      }
      boolean ok = !outcome.containsKey(name);
      duration.add(seconds, name);
      success.add(ok ? 1 : 0, name);
      record(name, outcome.get(name));
    }
    Family cycle =
        Family.gauge(
                "caretaker_collection_duration_seconds",
                "How long the last collection cycle took, all collectors together.")
            .add((System.nanoTime() - started) / 1e9);
    Family errorTotals =
        Family.counter(
            "caretaker_collector_errors_total",
            "Collector runs that failed or timed out.",
            "collector");
    errors.forEach((name, count) -> errorTotals.add(count, name));
    for (Family f : List.of(cycle, duration, success, errorTotals)) {
      MetricSnapshot m = f.toSnapshot();
      metrics.put(m.getMetadata().getPrometheusName(), m);
    }

    Snapshot snapshot = new Snapshot(clock.instant(), new MetricSnapshots(metrics.values()));
    latest = snapshot;
    for (Consumer<Snapshot> listener : listeners) {
      try {
        listener.accept(snapshot);
      } catch (RuntimeException e) {
        log.error("Snapshot listener failed", e);
      }
    }
    return snapshot;
  }

  /**
   * Stops collecting; waits briefly for a running cycle to finish; closes the collectors that own
   * something (a background scan).
   */
  @Override
  public void close() {
    ticker.shutdown();
    try {
      ticker.awaitTermination(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    workers.shutdownNow();
    for (Collector c : collectors) {
      if (c instanceof AutoCloseable owner) {
        try {
          owner.close();
        } catch (Exception e) {
          log.warn("Closing collector {} failed: {}", c.name(), e.toString());
        }
      }
    }
  }

  private void collectSafely() {
    try {
      collectOnce();
    } catch (RuntimeException e) {
      log.error("Collection cycle failed; keeping the previous snapshot", e);
    }
  }

  private static Result timed(Collector c) throws Exception {
    long start = System.nanoTime();
    List<MetricSnapshot> metrics = c.collect();
    return new Result(metrics, System.nanoTime() - start);
  }

  /** Counts a failure and logs at the start and the end of a failure streak, not every cycle. */
  private void record(String collector, String failure) {
    if (failure == null) {
      String was = failing.remove(collector);
      if (was != null) {
        log.info("Collector {} recovered", collector);
      }
      return;
    }
    errors.merge(collector, 1L, Long::sum);
    if (failing.put(collector, failure) == null) {
      log.warn(
          "Collector {} failed: {}; its metrics are left out until it recovers",
          collector,
          failure);
    }
  }

  private static void addUnique(Map<String, MetricSnapshot> into, MetricSnapshot m, String from) {
    String name = m.getMetadata().getPrometheusName();
    if (into.putIfAbsent(name, m) != null) {
      log.warn("Collector {} produced {} which another collector already did; ignored", from, name);
    }
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
