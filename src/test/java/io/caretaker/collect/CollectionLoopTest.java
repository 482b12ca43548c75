package io.caretaker.collect;

import static io.caretaker.collect.Samples.has;
import static io.caretaker.collect.Samples.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.caretaker.metrics.Family;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CollectionLoopTest {
  private CollectionLoop loop;

  @AfterEach
  void close() {
    if (loop != null) {
      loop.close();
    }
  }

  private static Collector fixed(String name, String metric, double value) {
    return collector(name, () -> List.of(Family.gauge(metric, "test").add(value).toSnapshot()));
  }

  private static Collector collector(String name, Body body) {
    return new Collector() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public List<MetricSnapshot> collect() throws Exception {
        return body.run();
      }
    };
  }

  interface Body {
    List<MetricSnapshot> run() throws Exception;
  }

  @Test
  void throwingCollectorIsCountedAndTheOthersStillPublish() {
    loop =
        new CollectionLoop(
            List.of(
                fixed("good", "good_value", 7),
                collector(
                    "bad",
                    () -> {
                      throw new IllegalStateException("cannot read /proc/whatever");
                    })),
            Duration.ofSeconds(1),
            Clock.systemUTC());

    var metrics = loop.collectOnce().metrics();
    loop.collectOnce();
    metrics = loop.latest().orElseThrow().metrics();

    assertThat(value(metrics, "good_value")).hasValue(7);
    assertThat(value(metrics, "caretaker_collector_errors_total", "collector", "bad")).hasValue(2);
    assertThat(value(metrics, "caretaker_collector_errors_total", "collector", "good")).hasValue(0);
    assertThat(value(metrics, "caretaker_collector_success", "collector", "bad")).hasValue(0);
    assertThat(value(metrics, "caretaker_collector_success", "collector", "good")).hasValue(1);
  }

  @Test
  void hangingCollectorIsCutOffAndNotStartedAgainUntilItReturns() {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    Collector hanging =
        collector(
            "nfs",
            () -> {
              calls.incrementAndGet();
              release.await();
              return List.of(Family.gauge("nfs_value", "test").add(1).toSnapshot());
            });
    loop =
        new CollectionLoop(
            List.of(fixed("good", "good_value", 3), hanging),
            Duration.ofMillis(200),
            Clock.systemUTC());

    // Each cycle ends at the timeout however long the collector hangs.
    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> {
          loop.collectOnce();
          loop.collectOnce();
        });
    var metrics = loop.latest().orElseThrow().metrics();
    assertThat(value(metrics, "good_value")).hasValue(3);
    assertThat(has(metrics, "nfs_value")).isFalse();
    assertThat(value(metrics, "caretaker_collector_errors_total", "collector", "nfs")).hasValue(2);
    assertThat(value(metrics, "caretaker_collector_duration_seconds", "collector", "nfs"))
        .hasValue(0.2);
    assertThat(calls).hasValue(1);

    release.countDown();
    Awaitility.await()
        .untilAsserted(
            () -> {
              loop.collectOnce();
              assertThat(value(loop.latest().orElseThrow().metrics(), "nfs_value")).hasValue(1);
            });
    assertThat(calls.get()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void collectorsStuckOnMoreThreadsThanTheCoresHaveStillLeaveTheHealthyOnesTheirWorkers() {
    CountDownLatch release = new CountDownLatch(1);
    List<Collector> all = new java.util.ArrayList<>();
    int stuck = Runtime.getRuntime().availableProcessors() + 2; // more than the pool's workers
    for (int i = 0; i < stuck; i++) {
      all.add(
          collector(
              "nfs" + i,
              () -> {
                release.await();
                return List.of();
              }));
    }
    all.add(fixed("good", "good_value", 3));
    loop = new CollectionLoop(all, Duration.ofMillis(200), Clock.systemUTC());
    try {
      // The first cycle may cut the healthy collector off too (it waited behind the stuck ones);
      // from the next, a thread per stuck collector is added and the healthy one runs.
      loop.collectOnce();
      Awaitility.await()
          .untilAsserted(
              () -> {
                loop.collectOnce();
                assertThat(value(loop.latest().orElseThrow().metrics(), "good_value")).hasValue(3);
              });
    } finally {
      release.countDown();
    }
  }

  @Test
  void twentyBusyCollectorsShareTheCoresWorthOfThreads() {
    List<Collector> all = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      all.add(
          collector(
              "busy" + i,
              () -> {
                Thread.sleep(20); // the collector's own work (reading files), not a wait
                return List.of();
              }));
    }
    loop = new CollectionLoop(all, Duration.ofSeconds(5), Clock.systemUTC());
    loop.collectOnce();
    assertThat(
            value(
                loop.latest().orElseThrow().metrics(),
                "caretaker_collector_success",
                "collector",
                "busy19"))
        .hasValue(1);
    int cores = Math.max(2, Runtime.getRuntime().availableProcessors());
    // Other tests' loops are closed, their threads ending: wait for those, not for this loop's.
    Awaitility.await()
        .untilAsserted(
            () ->
                assertThat(
                        Thread.getAllStackTraces().keySet().stream()
                            .filter(t -> t.getName().startsWith("caretaker-collector"))
                            .count())
                    .isLessThanOrEqualTo(cores));
  }

  @Test
  void sameMetricFromTwoCollectorsKeepsTheFirstAndScrapesStillWork() {
    loop =
        new CollectionLoop(
            List.of(fixed("a", "dup", 1), fixed("b", "dup", 2)),
            Duration.ofSeconds(1),
            Clock.systemUTC());
    assertThat(value(loop.collectOnce().metrics(), "dup")).hasValue(1);
  }

  @Test
  void listenersReceiveEverySnapshotAndTheLoopRunsOnItsOwn() {
    loop =
        new CollectionLoop(
            List.of(fixed("good", "good_value", 1)), Duration.ofMillis(100), Clock.systemUTC());
    List<Snapshot> seen = new CopyOnWriteArrayList<>();
    loop.addListener(seen::add);
    assertThat(loop.latest()).isEmpty();
    loop.start(Duration.ofMillis(100));
    Awaitility.await().until(() -> seen.size() >= 3);
    assertThat(loop.latest()).isPresent();
    assertThat(loop.collect()).isSameAs(loop.latest().orElseThrow().metrics());
  }
}
