package io.caretaker;

import io.caretaker.collect.CollectionLoop;
import io.caretaker.collect.Collector;
import io.caretaker.collect.HostCollectors;
import io.caretaker.config.Config;
import io.caretaker.config.Units;
import io.caretaker.http.HttpVerticle;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

  private final Config config;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Vertx vertx;
  private CollectionLoop loop;
  private HttpVerticle http;

  private Daemon(Config config) {
    this.config = config;
    this.vertx = Vertx.vertx();
  }

  /** Starts the agent; returns once the port is bound. On failure nothing is left running. */
  public static Daemon start(Config config) throws StartupException {
    return start(config, HostCollectors.create(config.collect()));
  }

  /** Starts the agent with the given collectors (tests add failing or hanging ones). */
  public static Daemon start(Config config, List<Collector> collectors) throws StartupException {
    Daemon daemon = new Daemon(config);
    try {
      daemon.startParts(collectors);
      return daemon;
    } catch (StartupException | RuntimeException e) {
      daemon.close();
      throw e;
    }
  }

  private void startParts(List<Collector> collectors) throws StartupException {
    Info.builder().name("caretaker_build_info").help("The running caretaker's version.")
        .labelNames("version").register(registry).addLabelValues(Version.VALUE);
    loop = new CollectionLoop(collectors, config.collect().timeout(), Clock.systemUTC());
    registry.register(loop);
    http = new HttpVerticle(config.server(), registry, () -> loop.latest().isPresent());
    await(vertx.deployVerticle(http), "server.port");
    loop.start(config.collect().interval());
    log.info("caretaker {} started as instance {}; collecting every {}", Version.VALUE,
        config.agent().instance(), Units.format(config.collect().interval()));
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
    try {
      if (http != null) {
        http.shutdown(SHUTDOWN_GRACE).toCompletionStage().toCompletableFuture()
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
