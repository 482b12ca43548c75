package io.caretaker.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads a POST body, after the token was checked on the headers, within three bounds: {@code
 * server.max_body_bytes} per request (413), a budget of bytes buffered across all requests at once
 * (503 while spent, so many slow senders cannot exhaust the heap), and a deadline for the whole
 * body (408). A refused request's connection is closed, so its unread body is never read.
 */
final class BodyReader implements Handler<RoutingContext> {
  private static final String KEY = "caretaker.body";
  private static final String BUSY = "server busy";
  private static final String BUSY_DETAIL =
      "too many request bodies are being received at once; retry";

  private final Vertx vertx;
  private final long maxBody;
  private final AtomicLong budget;
  private final long deadlineMillis;

  BodyReader(Vertx vertx, long maxBody, long totalBudget, long deadlineMillis) {
    this.vertx = vertx;
    this.maxBody = maxBody;
    this.budget = new AtomicLong(totalBudget);
    this.deadlineMillis = deadlineMillis;
  }

  /** The body a {@link BodyReader} earlier in the route read. */
  static Buffer body(RoutingContext ctx) {
    Buffer body = ctx.get(KEY);
    return body == null ? Buffer.buffer() : body;
  }

  /** Bytes that may still be buffered right now (for tests and the limits doc). */
  long budgetLeft() {
    return budget.get();
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String length = request.getHeader("Content-Length");
    if (length != null && parseLength(length) > maxBody) {
      refuse(ctx, 413, "request body too large", limitText());
      return;
    }
    if (request.isEnded()) {
      ctx.put(KEY, Buffer.buffer());
      ctx.next();
      return;
    }
    new Read(ctx, length == null ? 0 : (int) parseLength(length)).start();
  }

  /** One body being read: what it holds of the budget goes back exactly once. */
  private final class Read {
    private final RoutingContext ctx;

    /**
     * Sized from Content-Length (at most max_body_bytes), reserved from the budget at once, so it
     * never grows by copying; a chunked body reserves as it arrives.
     */
    private final Buffer body;

    private final int declared;
    private long held;
    private boolean done;
    private long timer;

    Read(RoutingContext ctx, int declaredLength) {
      this.ctx = ctx;
      this.declared = Math.max(0, declaredLength);
      this.body = Buffer.buffer(declared);
    }

    void start() {
      ctx.addEndHandler(v -> release());
      if (declared > 0 && !take(declared)) {
        stop(503, BUSY, BUSY_DETAIL);
        return;
      }
      timer =
          vertx.setTimer(
              deadlineMillis,
              id ->
                  stop(
                      408,
                      "request body too slow",
                      "the whole body must arrive within " + deadlineMillis / 1000 + " s"));
      HttpServerRequest request = ctx.request();
      request.handler(this::chunk);
      request.endHandler(v -> end());
      request.exceptionHandler(e -> stop(0, null, null));
      request.resume();
    }

    private void chunk(Buffer chunk) {
      if (done) {
        return;
      }
      long after = body.length() + (long) chunk.length();
      if (after > maxBody) {
        stop(413, "request body too large", limitText());
      } else if (after > held && !take(after - held)) {
        stop(503, BUSY, BUSY_DETAIL);
      } else {
        body.appendBuffer(chunk);
      }
    }

    /** Reserves {@code bytes} of the budget for this body; false when it is spent. */
    private boolean take(long bytes) {
      if (budget.addAndGet(-bytes) < 0) {
        budget.addAndGet(bytes);
        return false;
      }
      held += bytes;
      return true;
    }

    private void end() {
      if (done) {
        return;
      }
      done = true;
      vertx.cancelTimer(timer);
      ctx.put(KEY, body);
      ctx.next();
    }

    private void stop(int status, String error, String detail) {
      if (done) {
        return;
      }
      done = true;
      vertx.cancelTimer(timer);
      release();
      if (status > 0 && !ctx.response().ended()) {
        refuse(ctx, status, error, detail);
      } else {
        ctx.request().connection().shutdown(Duration.ZERO);
      }
    }

    private void release() {
      budget.addAndGet(held);
      held = 0;
    }
  }

  private String limitText() {
    return "limit is server.max_body_bytes = " + maxBody + " bytes";
  }

  /** Answers and closes the connection, so a body left unread is never read. */
  static void refuse(RoutingContext ctx, int status, String error, String detail) {
    ctx.response()
        .putHeader("Connection", "close")
        .endHandler(v -> ctx.request().connection().shutdown(Duration.ZERO));
    if (status == 503) {
      ctx.response().putHeader("Retry-After", "1");
    }
    HttpVerticle.error(ctx, status, error, detail);
  }

  private static long parseLength(String text) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }
}
