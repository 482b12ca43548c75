package io.caretaker.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Every POST needs {@code Authorization: Bearer <token>}: 401 when missing or wrong, 403 when the
 * agent has no tokens at all (POSTs are then refused, with the way to configure one).
 */
final class BearerAuth implements Handler<RoutingContext> {
  private final List<byte[]> tokens;

  BearerAuth(List<String> tokens) {
    this.tokens = tokens.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (tokens.isEmpty()) {
      BodyReader.refuse(
          ctx,
          403,
          "no tokens configured",
          "POST requests are refused until a token is set: server.tokens in the config, or the"
              + " CARETAKER_TOKEN environment variable with the default config");
      return;
    }
    String header = ctx.request().getHeader("Authorization");
    if (header == null
        || !header.regionMatches(true, 0, "Bearer ", 0, 7)
        || !known(header.substring(7).trim())) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"caretaker\"");
      BodyReader.refuse(
          ctx,
          401,
          "unauthorized",
          header == null ? "missing Authorization: Bearer <token>" : "invalid token");
      return;
    }
    ctx.next();
  }

  /** Compares in constant time, so response timing does not reveal a token's prefix. */
  private boolean known(String presented) {
    byte[] p = presented.getBytes(StandardCharsets.UTF_8);
    boolean match = false;
    for (byte[] token : tokens) {
      match |= MessageDigest.isEqual(token, p);
    }
    return match;
  }
}
