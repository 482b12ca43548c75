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
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.PlatformHandler;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server: route table, JSON errors, TLS when configured. Start completes only once the
 * port is bound, and fails with the cause otherwise.
 */
public final class HttpVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(HttpVerticle.class);
  private static final int SCRAPE_WORKERS = 2;

  private final ServerConfig config;
  private final PrometheusRegistry registry;
  private final BooleanSupplier ready;
  private final ApiRoutes api;
  private WorkerExecutor scrapeWorkers;
  private HttpServer server;

  /** {@code api} is null for a metrics-only server (tests of the scrape path). */
  public HttpVerticle(ServerConfig config, PrometheusRegistry registry, BooleanSupplier ready,
      ApiRoutes api) {
    this.config = config;
    this.registry = registry;
    this.ready = ready;
    this.api = api;
  }

  @Override
  public Future<?> start() {
    scrapeWorkers = vertx.createSharedWorkerExecutor("caretaker-scrape", SCRAPE_WORKERS);
    HttpServerOptions options = new HttpServerOptions().setHost(config.host())
        .setPort(config.port());
    config.tls().ifPresent(tls -> options.setSsl(true).setKeyCertOptions(
        new PemKeyCertOptions().setCertPath(tls.cert().toString())
            .setKeyPath(tls.key().toString())));
    return vertx.createHttpServer(options).requestHandler(router()).listen().onSuccess(s -> {
      server = s;
      log.info("Listening on {}://{}:{}", config.tls().isPresent() ? "https" : "http",
          config.host(), s.actualPort());
    });
  }

  /** Stops accepting connections and lets in-flight requests finish, up to {@code grace}. */
  public Future<Void> shutdown(Duration grace) {
    return server == null ? Future.succeededFuture() : server.shutdown(grace);
  }

  @Override
  public Future<?> stop() {
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
    if (api != null) {
      api.mount(vertx, router, path -> postRoute(router, path));
    }
    router.errorHandler(404, ctx -> error(ctx, 404, "not found", ctx.request().path()));
    router.errorHandler(405, ctx -> error(ctx, 405, "method not allowed",
        ctx.request().method().name() + " " + ctx.request().path()));
    router.errorHandler(413, ctx -> error(ctx, 413, "request body too large",
        "limit is server.max_body_bytes = " + config.maxBodyBytes() + " bytes"));
    router.errorHandler(500, this::handleFailure);
    return router;
  }

  /**
   * A POST route behind the guards every POST has: the body limit (413; Vert.x wants the body
   * read before other handlers), then the bearer token (401/403).
   */
  private Route postRoute(Router router, String path) {
    return router.post(path).handler((PlatformHandler) HttpVerticle::jsonEvenIfFormEncoded)
        .handler(BodyHandler.create(false)
        .setBodyLimit(config.maxBodyBytes())).handler(new BearerAuth(config.tokens()));
  }

  /**
   * Every POST body here is JSON or NDJSON, but {@code curl -d @alert.json} labels it a form; the
   * body handler would then decode it as one and refuse it. The label goes, the body stays.
   * (A platform handler, as Vert.x only lets those run before the body handler.)
   */
  private static void jsonEvenIfFormEncoded(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    if (type != null && type.toLowerCase(java.util.Locale.ROOT)
        .startsWith("application/x-www-form-urlencoded")) {
      ctx.request().headers().remove("Content-Type");
    }
    ctx.next();
  }

  private void handleHealth(RoutingContext ctx) {
    json(ctx, 200, new JsonObject().put("status", "UP"));
  }

  private void handleReady(RoutingContext ctx) {
    boolean isReady = ready.getAsBoolean();
    json(ctx, isReady ? 200 : 503, new JsonObject().put("status", isReady ? "READY" : "STARTING"));
  }

  private void handleFailure(RoutingContext ctx) {
    log.error("Request {} {} failed", ctx.request().method(), ctx.request().path(),
        ctx.failure());
    error(ctx, 500, "internal error", String.valueOf(ctx.failure()));
  }

  static void error(RoutingContext ctx, int status, String error, Object detail) {
    json(ctx, status, new JsonObject().put("error", error).put("detail", detail));
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(body.encode());
  }
}
