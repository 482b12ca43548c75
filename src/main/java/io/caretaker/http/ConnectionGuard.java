package io.caretaker.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Closes connections that hold a place without sending a request: a new connection must complete
 * its first request's headers within {@code firstRequest}, and a kept-alive one its next within
 * {@code keepAlive} of the last response. Slow-header senders (slowloris) and idle hoarders are cut
 * off. One sweep a second on the server's event loop checks the deadlines; the server's handlers
 * run on that loop too, so the map needs no lock. (The server must not offer h2c: with it, Vert.x
 * calls the connection handler only once a whole request head arrived.)
 */
final class ConnectionGuard {
  private static final long SWEEP_MILLIS = 1000;

  private final Vertx vertx;
  private final long firstRequestMillis;
  private final long keepAliveMillis;
  private final Map<HttpConnection, Long> deadlines = new HashMap<>();
  private long sweeper = -1;

  ConnectionGuard(Vertx vertx, Duration firstRequest, Duration keepAlive) {
    this.vertx = vertx;
    this.firstRequestMillis = firstRequest.toMillis();
    this.keepAliveMillis = keepAlive.toMillis();
  }

  /** Starts the sweep; call on the server's context. */
  void start() {
    sweeper = vertx.setPeriodic(SWEEP_MILLIS, id -> sweep(now()));
  }

  void stop() {
    vertx.cancelTimer(sweeper);
  }

  /** For {@code HttpServer.connectionHandler}. */
  void connected(HttpConnection connection) {
    deadlines.put(connection, now() + firstRequestMillis);
    connection.closeHandler(v -> deadlines.remove(connection));
  }

  /** Wraps the request handler: a request lifts its connection's deadline until answered. */
  Handler<HttpServerRequest> guard(Handler<HttpServerRequest> next) {
    return request -> {
      HttpConnection connection = request.connection();
      deadlines.remove(connection);
      request.response().endHandler(v -> deadlines.put(connection, now() + keepAliveMillis));
      next.handle(request);
    };
  }

  private void sweep(long now) {
    List<HttpConnection> late = new ArrayList<>();
    deadlines.forEach(
        (connection, deadline) -> {
          if (deadline <= now) {
            late.add(connection);
          }
        });
    for (HttpConnection connection : late) {
      deadlines.remove(connection);
      connection.shutdown(Duration.ZERO); // close() would wait for a request that never ends
    }
  }

  private static long now() {
    return System.nanoTime() / 1_000_000;
  }
}
