package io.caretaker.http;

import io.caretaker.config.ServerConfig;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server: the one route table ({@link #router}), JSON errors, TLS when configured. Start
 * completes only once the port is bound, and fails with the cause otherwise.
 */
public final class HttpVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(HttpVerticle.class);
  private static final int SCRAPE_WORKERS = 2;

  /**
   * Request bodies buffered at once, across all requests, in units of max_body_bytes: 4 MiB by
   * default, a tenth of the recommended 48 MiB heap (bench/hostile-http.sh).
   */
  static final int BODY_BUDGET_BODIES = 4;

  /** A new connection's first request headers, and a whole POST body, must arrive within. */
  static final Duration REQUEST_DEADLINE = Duration.ofSeconds(10);

  /** A kept-alive connection may wait this long for its next request. */
  static final Duration KEEP_ALIVE = Duration.ofSeconds(60);

  private final ServerConfig config;
  private final PrometheusRegistry registry;
  private final BooleanSupplier ready;
  private final AgentParts parts;
  private WorkerExecutor scrapeWorkers;
  private HttpServer server;
  private BodyReader bodies;
  private ConnectionGuard connections;

  /** {@code parts} is null for a metrics-only server (tests of the scrape path). */
  public HttpVerticle(
      ServerConfig config, PrometheusRegistry registry, BooleanSupplier ready, AgentParts parts) {
    this.config = config;
    this.registry = registry;
    this.ready = ready;
    this.parts = parts;
  }

  @Override
  // Long on purpose: the server options and its guards, then listen.
  public Future<?> start() {
    scrapeWorkers = vertx.createSharedWorkerExecutor("caretaker-scrape", SCRAPE_WORKERS);
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(config.host())
            .setPort(config.port())
            .setIdleTimeout((int) KEEP_ALIVE.toSeconds())
            .setIdleTimeoutUnit(TimeUnit.SECONDS)
            .setHttp2ClearTextEnabled(false);
    config
        .tls()
        .ifPresent(
            tls ->
                options
                    .setSsl(true)
                    .setKeyCertOptions(
                        new PemKeyCertOptions()
                            .setCertPath(tls.cert().toString())
                            .setKeyPath(tls.key().toString())));
    bodies =
        new BodyReader(
            vertx,
            config.maxBodyBytes(),
            BODY_BUDGET_BODIES * config.maxBodyBytes(),
            REQUEST_DEADLINE.toMillis());
    connections = new ConnectionGuard(vertx, REQUEST_DEADLINE, KEEP_ALIVE);
    connections.start();
    return vertx
        .createHttpServer(options)
        .connectionHandler(connections::connected)
        .requestHandler(connections.guard(router()))
        .listen()
        .onSuccess(
            s -> {
              server = s;
              log.info(
                  "Listening on {}://{}:{}",
                  config.tls().isPresent() ? "https" : "http",
                  config.host(),
                  s.actualPort());
            });
  }

  /** Stops accepting connections and lets in-flight requests finish, up to {@code grace}. */
  public Future<Void> shutdown(Duration grace) {
    return server == null ? Future.succeededFuture() : server.shutdown(grace);
  }

  @Override
  public Future<?> stop() {
    if (connections != null) {
      connections.stop();
    }
    return scrapeWorkers == null ? Future.succeededFuture() : scrapeWorkers.close();
  }

  public int actualPort() {
    return server.actualPort();
  }

  private Router router() {
    Router router = Router.router(vertx);
    MetricsEndpoint metrics = new MetricsEndpoint(registry, scrapeWorkers);
    router.route(HttpMethod.GET, "/metrics").handler(metrics::handle);
    router.route(HttpMethod.HEAD, "/metrics").handler(metrics::handle);
    router.get("/health").handler(this::handleHealth);
    router.get("/ready").handler(this::handleReady);
    if (parts != null) {
      ReadHandlers read = new ReadHandlers(parts);
      EventStream events = new EventStream(parts, vertx);
      ControlHandlers control = new ControlHandlers(parts, vertx, events);
      router.get("/").handler(ConsolePage::handleIndex);
      router.get("/ui/:file").handler(ConsolePage::handleAsset);
      router.get("/api/v1/events").handler(events::handle);
      router.get("/api/v1/status").handler(new StatusHandler(parts)::handle);
      router.get("/api/v1/actions").handler(read::handleActions);
      post(router, "/api/v1/actions/run-all").handler(control::handleRunAll);
      post(router, "/api/v1/actions/:name/run").handler(control::handleRunAction);
      post(router, "/api/v1/actions/:name/reset").handler(control::handleResetCircuit);
      router.get("/api/v1/runs").handler(read::handleRuns);
      router.get("/api/v1/runs/:id").handler(read::handleRun);
      router.get("/api/v1/rules").handler(read::handleRules);
      post(router, "/api/v1/trading/events").handler(control::handleEvents);
      post(router, "/api/v1/alertmanager").handler(control::handleWebhook);
      router.get("/api/v1/schedules").handler(read::handleSchedules);
      post(router, "/api/v1/schedules/:id/pause").handler(ctx -> control.handlePause(ctx, true));
      post(router, "/api/v1/schedules/:id/resume").handler(ctx -> control.handlePause(ctx, false));
      router.get("/api/v1/maintenance").handler(read::handleMaintenance);
      post(router, "/api/v1/maintenance").handler(control::handleSetMaintenance);
      router.get("/api/v1/report").handler(new ReportHandler(parts)::handle);
      router.get("/api/v1/openapi.yaml").handler(read::handleOpenApi);
    }
    router.errorHandler(404, ctx -> error(ctx, 404, "not found", ctx.request().path()));
    router.errorHandler(
        405,
        ctx ->
            error(
                ctx,
                405,
                "method not allowed",
                ctx.request().method().name() + " " + ctx.request().path()));
    router.errorHandler(500, this::handleFailure);
    return router;
  }

  /**
   * A POST route behind the guards every POST has, in this order: the bearer token on the headers
   * (401/403, before a byte of the body is read), then the body within its bounds ({@link
   * BodyReader}). Bodies are read as bytes whatever their Content-Type.
   */
  private Route post(Router router, String path) {
    return router.post(path).handler(new BearerAuth(config.tokens())).handler(bodies);
  }

  private void handleHealth(RoutingContext ctx) {
    json(ctx, 200, new JsonObject().put("status", "UP"));
  }

  private void handleReady(RoutingContext ctx) {
    boolean isReady = ready.getAsBoolean();
    json(ctx, isReady ? 200 : 503, new JsonObject().put("status", isReady ? "READY" : "STARTING"));
  }

  private void handleFailure(RoutingContext ctx) {
    log.error("Request {} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
    error(ctx, 500, "internal error", String.valueOf(ctx.failure()));
  }

  /** The detail of a 404 for an action name that is not configured: what is. */
  static String noSuchAction(AgentParts parts, String name) {
    return "no action named \""
        + name
        + "\"; configured: "
        + (parts.executor().configs().isEmpty()
            ? "none"
            : String.join(", ", new TreeSet<>(parts.executor().configs().keySet())));
  }

  static void error(RoutingContext ctx, int status, String error, Object detail) {
    json(ctx, status, new JsonObject().put("error", error).put("detail", detail));
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body.encode());
  }
}
