package io.caretaker.daemon;

import io.caretaker.actions.HealthSummary;
import io.caretaker.actions.Redactor;
import io.caretaker.collect.CollectionLoop;
import io.caretaker.collect.Collector;
import io.caretaker.collect.HostCollectors;
import io.caretaker.config.ActionSpec;
import io.caretaker.config.Config;
import io.caretaker.config.Units;
import io.caretaker.config.Version;
import io.caretaker.http.AgentParts;
import io.caretaker.http.HttpVerticle;
import io.caretaker.metrics.LabelCap;
import io.caretaker.postgres.PostgresConnection;
import io.caretaker.redis.RedisConnection;
import io.caretaker.report.Period;
import io.caretaker.report.Report;
import io.caretaker.report.ReportFormats;
import io.caretaker.rules.HealthScore;
import io.caretaker.rules.RuleEngine;
import io.caretaker.rules.RuleMetrics;
import io.caretaker.run.ActionExecutor;
import io.caretaker.run.AlertSilencer;
import io.caretaker.run.HealthJournal;
import io.caretaker.run.Maintenance;
import io.caretaker.run.RunHistory;
import io.caretaker.run.SafetyGuards;
import io.caretaker.store.StateFile;
import io.caretaker.trading.StreamConsumer;
import io.caretaker.trading.TradingEvents;
import io.caretaker.triggers.AlertRouter;
import io.caretaker.triggers.AlertTrigger;
import io.caretaker.triggers.InstanceIdentity;
import io.caretaker.triggers.RuleTrigger;
import io.caretaker.triggers.Scheduler;
import io.caretaker.triggers.SizeTrigger;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

// One file on purpose: the one place where the parts are wired, in order.
/**
 * The running agent, wired in one place: registry, collectors, collection loop, HTTP server.
 *
 * <pre>{@code
 * try (Daemon daemon = Daemon.start(ConfigLoader.loadDefault())) {
 *   int port = daemon.port();
 * }
 * }</pre>
 */
public final class Daemon implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Daemon.class);
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(3);
  private static final int HISTORY_RECORDS = 10_000;
  private static final int MAX_CONCURRENT_RUNS = 4;

  private final Config config;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Vertx vertx;
  private final Clock clock = Clock.systemUTC();
  private final LabelCap labelCap;
  private final Optional<RedisConnection> redis;
  private final List<PostgresConnection> postgres;

  /** Stream readers: Lettuce decodes each connection's replies on one thread, so two share it. */
  private final List<StreamConsumer> streamConsumers = new ArrayList<>();

  private static final int STREAM_CONSUMERS = 2;
  private CollectionLoop loop;
  private volatile ActionExecutor executor; // read by the key-group scan's thread
  private HealthJournal journal;
  private SafetyGuards safety;
  private RuleTrigger rules;
  private HttpVerticle http;
  private Scheduler scheduler;

  /** Starts the runs an Alertmanager webhook routed, off the event loop. */
  private final ExecutorService alertStarter =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "caretaker-alert-runs");
            t.setDaemon(true);
            return t;
          });

  private Daemon(Config config) {
    this.config = config;
    this.vertx = Vertx.vertx();
    this.labelCap = new LabelCap(config.trading().maxLabelValues(), registry);
    this.redis = config.redis().map(RedisConnection::new); // connects lazily
    this.postgres =
        config
            .postgres()
            .map(
                p ->
                    p.databases().stream()
                        .map(d -> new PostgresConnection(d, p.timeout()))
                        .toList())
            .orElse(List.of()); // connect lazily too
  }

  /** Starts the agent; returns once the port is bound. On failure nothing is left running. */
  public static Daemon start(Config config) throws StartupException {
    return start(config, null);
  }

  /**
   * Starts the agent; {@code collectors} replaces the configured ones when given (tests use metrics
   * they control).
   */
  public static Daemon start(Config config, List<Collector> collectors) throws StartupException {
    Daemon daemon = new Daemon(config);
    try {
      daemon.startParts(collectors != null ? collectors : daemon.configuredCollectors());
      return daemon;
    } catch (StartupException | RuntimeException e) {
      daemon.close();
      throw e;
    }
  }

  private List<Collector> configuredCollectors() {
    return HostCollectors.create(
        config, redis, postgres, labelCap, clock, this::redisCleanupRunning);
  }

  /** Whether one of this agent's redis-cleanup actions runs now (the key-group scan waits). */
  private boolean redisCleanupRunning() {
    ActionExecutor running = executor;
    return running != null
        && config.actions().values().stream()
            .anyMatch(
                a -> a.spec() instanceof ActionSpec.RedisCleanup && running.running(a.name()));
  }

  // Long on purpose: the wiring order, top to bottom.
  private void startParts(List<Collector> collectors) throws StartupException {
    Info.builder()
        .name("caretaker_build_info")
        .help("The running caretaker's version.")
        .labelNames("version")
        .register(registry)
        .addLabelValues(Version.VALUE);
    loop = new CollectionLoop(collectors, config.collect().timeout(), clock);
    registry.register(loop);
    Maintenance maintenance = maintenance();
    journal = journal();
    safety = new SafetyGuards(config.actions().values(), registry::scrape);
    executor = executor(history(), maintenance);
    rules =
        new RuleTrigger(
            new RuleEngine(config.rules()),
            new RuleMetrics(registry, config.rules()),
            executor,
            journal);
    loop.addListener(s -> safety.observe(s.collectedAt())); // before rules: their runs check it
    loop.addListener(s -> maintenance.tick(s.collectedAt()));
    loop.addListener(rules::evaluate);
    loop.addListener(new SizeTrigger(config.actions(), executor)::check);
    scheduler =
        new Scheduler(
            config.schedules(),
            executor,
            new StateFile(config.agent().dataDir().resolve("schedules.json")),
            config.agent().instance(),
            clock,
            registry);
    AlertTrigger alerts =
        new AlertTrigger(
            new AlertRouter(
                config.alertmanager(),
                config.actions().keySet(),
                InstanceIdentity.ofThisHost(config.agent().instance()),
                clock,
                registry),
            executor,
            alertStarter,
            clock,
            config.alertmanager().verifyWithin());
    TradingEvents events = new TradingEvents(registry, labelCap);
    AgentParts parts =
        new AgentParts(
            config.agent().instance(),
            clock.instant(),
            loop,
            rules,
            executor,
            maintenance,
            scheduler,
            alerts,
            events,
            () -> redis.map(RedisConnection::up).orElse(null),
            clock,
            config.runAllAtOnce(),
            journal);
    http = new HttpVerticle(config.server(), registry, () -> loop.latest().isPresent(), parts);
    await(vertx.deployVerticle(http), "server.port");
    loop.start(config.collect().interval());
    scheduler.start();
    startStreamConsumers(events);
    log.info(
        "caretaker {} started as instance {}; collecting every {}",
        Version.VALUE,
        config.agent().instance(),
        Units.format(config.collect().interval()));
  }

  private HealthJournal journal() throws StartupException {
    try {
      return new HealthJournal(config.agent().dataDir().resolve("health.jsonl"), clock.instant());
    } catch (UncheckedIOException e) {
      throw new StartupException("agent.data_dir", e);
    }
  }

  private RunHistory history() throws StartupException {
    try {
      return new RunHistory(config.agent().dataDir().resolve("runs.jsonl"), HISTORY_RECORDS);
    } catch (UncheckedIOException e) {
      throw new StartupException("agent.data_dir", e);
    }
  }

  private Maintenance maintenance() {
    Maintenance maintenance =
        new Maintenance(
                config.maintenance(),
                Optional.of(new StateFile(config.agent().dataDir().resolve("maintenance.json"))))
            .silencing(new AlertSilencer(config.alertmanager().silence()));
    GaugeWithCallback.builder()
        .name("caretaker_maintenance_mode")
        .help("1 while maintenance is on (operator or window): automatic triggers are skipped.")
        .callback(cb -> cb.call(maintenance.status(clock.instant()).enabled() ? 1 : 0))
        .register(registry);
    return maintenance;
  }

  /** The actions read the health score through {@code rules}, which is built after them. */
  private ActionExecutor executor(RunHistory history, Maintenance maintenance) {
    ActionTypes.Parts parts =
        new ActionTypes.Parts(
            () -> summary(rules.health()),
            history,
            List.copyOf(config.actions().keySet()),
            config.agent().instance(),
            clock,
            registry,
            redis,
            config.postgres(),
            config.agent().dataDir(),
            new Redactor(config.secrets()),
            (period, format, now) ->
                ReportFormats.render(
                    Report.build(
                        config.agent().instance(),
                        history,
                        journal,
                        Period.parse(period, now),
                        now),
                    format));
    return new ActionExecutor(
        config.actions(),
        ActionTypes.create(config.actions(), parts),
        history,
        maintenance,
        registry,
        clock,
        MAX_CONCURRENT_RUNS,
        safety,
        new AlertSilencer(config.alertmanager().silence()));
  }

  private void startStreamConsumers(TradingEvents events) {
    redis.ifPresent(
        r ->
            config
                .trading()
                .events()
                .ifPresent(
                    stream -> {
                      for (int i = 1; i <= STREAM_CONSUMERS; i++) {
                        // The first keeps the plain instance name, so entries it had pending are
                        // read again.
                        String name = config.agent().instance() + (i == 1 ? "" : "-" + i);
                        StreamConsumer c =
                            new StreamConsumer(
                                r, stream, name, events, config.redis().orElseThrow().timeout());
                        streamConsumers.add(c);
                        c.start();
                      }
                    }));
  }

  /** The health score as the health-report action shows it. */
  private static HealthSummary summary(HealthScore.Result result) {
    return new HealthSummary(
        result.score(),
        result.checks().stream()
            .map(c -> new HealthSummary.Check(c.status().name(), c.name(), c.detail()))
            .toList());
  }

  public ActionExecutor executor() {
    return executor;
  }

  public int port() {
    return http.actualPort();
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  public CollectionLoop loop() {
    return loop;
  }

  /** Stops collecting, lets in-flight requests finish (up to a few seconds), then stops Vert.x. */
  @Override
  public void close() {
    if (loop != null) {
      loop.close();
    }
    if (scheduler != null) {
      scheduler.close();
    }
    if (executor != null) {
      executor.close();
    }
    alertStarter.shutdownNow();
    streamConsumers.forEach(StreamConsumer::close);
    redis.ifPresent(RedisConnection::close);
    postgres.forEach(PostgresConnection::close);
    try {
      if (http != null) {
        http.shutdown(SHUTDOWN_GRACE)
            .toCompletionStage()
            .toCompletableFuture()
            .get(SHUTDOWN_GRACE.toMillis() + 1000, TimeUnit.MILLISECONDS);
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("Shutdown did not complete cleanly: {}", e.toString());
    }
  }

  private static void await(Future<?> future, String key) throws StartupException {
    try {
      future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new StartupException(key, e.getCause());
    } catch (TimeoutException e) {
      throw new StartupException(key, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StartupException(key, e);
    }
  }

  /** Start-up failed because of {@code key}'s setting (a port in use, an unreadable cert). */
  public static final class StartupException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String key;

    StartupException(String key, Throwable cause) {
      super(cause.getMessage() == null ? cause.toString() : cause.getMessage(), cause);
      this.key = key;
    }

    public String key() {
      return key;
    }
  }
}
