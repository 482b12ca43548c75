package io.caretaker.rules;

import io.caretaker.config.ConfigLoader;
import io.caretaker.metrics.Family;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One rule-evaluation cycle with 1,000 rule instances (4 rules x 250 series) in a snapshot that
 * also carries 2,000 unrelated series. {@code steady}: nothing changes state; {@code flapping}:
 * every instance changes state every cycle (the worst case, with submissions built). Run with
 * bench/rule-evaluation.sh.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RuleEngineBenchmark {
  private static final int SERIES_PER_RULE = 250;

  private RuleEngine engine;
  private MetricSnapshots calm;
  private MetricSnapshots hot;
  private Instant now = Instant.parse("2026-11-23T00:00:00Z");
  private boolean flip;

  @Setup
  public void setup() {
    StringBuilder yaml =
        new StringBuilder("actions: { report: { type: health-report } }\nrules:\n");
    for (int r = 0; r < 4; r++) {
      yaml.append("  - { name: r")
          .append(r)
          .append(", metric: bench_value_")
          .append(r)
          .append(", warning: 0.8, critical: 0.9, actions: { critical: [report] } }\n");
    }
    engine = new RuleEngine(ConfigLoader.parse("bench.yml", yaml.toString(), Map.of()).rules());
    calm = snapshot(0.1);
    hot = snapshot(0.95);
  }

  private static MetricSnapshots snapshot(double value) {
    List<MetricSnapshot> metrics = new ArrayList<>();
    for (int r = 0; r < 4; r++) {
      Family f = Family.gauge("bench_value_" + r, "b", "mountpoint");
      for (int i = 0; i < SERIES_PER_RULE; i++) {
        f.add(value, "/m" + i);
      }
      metrics.add(f.toSnapshot());
    }
    for (int n = 0; n < 20; n++) {
      Family other = Family.gauge("unrelated_" + n, "b", "id");
      for (int i = 0; i < 100; i++) {
        other.add(i, "x" + i);
      }
      metrics.add(other.toSnapshot());
    }
    return new MetricSnapshots(metrics);
  }

  @Benchmark
  public RuleEngine.Evaluation steady() {
    now = now.plusSeconds(5);
    return engine.evaluate(calm, now);
  }

  @Benchmark
  public RuleEngine.Evaluation flapping() {
    now = now.plusSeconds(5);
    flip = !flip;
    return engine.evaluate(flip ? hot : calm, now);
  }
}
