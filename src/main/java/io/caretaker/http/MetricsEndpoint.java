package io.caretaker.http;

import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /metrics} through the Prometheus client's own scrape handler, which does content
 * negotiation (text, OpenMetrics, protobuf), gzip and the {@code name[]} filter. The handler
 * blocks, so it runs on a small worker pool; the event loop only copies the request in and writes
 * the captured response out.
 */
final class MetricsEndpoint {
  private final PrometheusScrapeHandler handler;
  private final WorkerExecutor workers;

  MetricsEndpoint(PrometheusRegistry registry, WorkerExecutor workers) {
    this.handler = new PrometheusScrapeHandler(registry);
    this.workers = workers;
  }

  void handle(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    // HEAD is rendered as GET so its headers (Content-Length included) are the GET's.
    ScrapeExchange exchange =
        new ScrapeExchange(
            "GET", req.path(), req.query(), HttpHeaders.headers().addAll(req.headers()));
    workers
        .executeBlocking(
            () -> {
              handler.handleRequest(exchange);
              return exchange;
            },
            false)
        .onComplete(
            done -> {
              if (done.failed()) {
                ctx.fail(done.cause());
                return;
              }
              HttpServerResponse resp = ctx.response().setStatusCode(exchange.status);
              exchange.responseHeaders.forEach(resp::putHeader);
              if (req.method() == HttpMethod.HEAD) {
                resp.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(exchange.body.size()))
                    .end();
              } else {
                resp.end(Buffer.buffer(exchange.body.toByteArray()));
              }
            });
  }
}
