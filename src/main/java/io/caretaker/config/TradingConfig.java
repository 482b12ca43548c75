package io.caretaker.config;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** What to read about the trading system: Redis keys every cycle, the event stream, processes. */
public record TradingConfig(
    List<HashMetric> hashes,
    Optional<KeyPattern> heartbeats,
    Optional<KeyPattern> marketData,
    List<SizeMetric> sizes,
    Optional<EventStream> events,
    List<ProcessMatch> processes,
    int maxLabelValues) {

  /** HGETALL key: each numeric field is a sample of {@code metric}, the field name its label. */
  public record HashMetric(String key, String metric, String label) {}

  /** Keys matching a glob whose value is a unix time; the {@code *} part is the label value. */
  public record KeyPattern(String pattern, String label) {}

  /** The cardinality of a key (SCARD/HLEN/LLEN/ZCARD/XLEN by its type) as {@code metric}. */
  public record SizeMetric(String key, String metric) {}

  /** A Redis stream of order events read through a consumer group. */
  public record EventStream(String stream, String group) {}

  /** A process of the trading system, found by a regular expression on its command line. */
  public record ProcessMatch(String component, Pattern match) {}

  public boolean usesRedis() {
    return !hashes.isEmpty()
        || heartbeats.isPresent()
        || marketData.isPresent()
        || !sizes.isEmpty()
        || events.isPresent();
  }

  // Long on purpose: reads the section's keys in the order the reference lists them.
  static TradingConfig read(Section s) {
    List<HashMetric> hashes =
        s.sections("hashes").stream()
            .map(
                h -> {
                  HashMetric m =
                      new HashMetric(
                          h.requiredString("key"),
                          h.metricName("metric"),
                          h.labelName("label", "field"));
                  h.finish();
                  return m;
                })
            .toList();
    Optional<KeyPattern> heartbeats =
        s.optionalSection("heartbeats").map(h -> keyPattern(h, "component"));
    Optional<KeyPattern> marketData =
        s.optionalSection("market_data").map(h -> keyPattern(h, "symbol"));
    List<SizeMetric> sizes =
        s.sections("sizes").stream()
            .map(
                z -> {
                  SizeMetric m = new SizeMetric(z.requiredString("key"), z.metricName("metric"));
                  z.finish();
                  return m;
                })
            .toList();
    Optional<EventStream> events =
        s.optionalSection("events")
            .map(
                e -> {
                  EventStream stream =
                      new EventStream(e.requiredString("stream"), e.string("group", "caretaker"));
                  e.finish();
                  return stream;
                });
    List<ProcessMatch> processes =
        s.sections("processes").stream()
            .map(
                p -> {
                  String component = p.requiredString("component");
                  Pattern match = p.optionalRegex("match").orElse(null);
                  if (match == null && !p.has("match")) {
                    p.problem("match", p.line(), "Missing required property");
                  }
                  p.finish();
                  return new ProcessMatch(component, match);
                })
            .filter(p -> p.match() != null)
            .toList();
    int maxLabelValues = s.integer("max_label_values", 1000, 1, 1_000_000);
    s.finish();
    return new TradingConfig(
        hashes, heartbeats, marketData, sizes, events, processes, maxLabelValues);
  }

  private static KeyPattern keyPattern(Section s, String defaultLabel) {
    String pattern = s.requiredString("pattern");
    if (!pattern.isEmpty() && pattern.chars().filter(c -> c == '*').count() != 1) {
      s.problem(
          "pattern",
          "Expecting a glob with exactly one * (its match is the label value)."
              + " Found: "
              + s.found("pattern"));
    }
    KeyPattern kp = new KeyPattern(pattern, s.labelName("label", defaultLabel));
    s.finish();
    return kp;
  }
}
