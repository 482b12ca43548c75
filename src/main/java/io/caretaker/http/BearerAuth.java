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

  /** What a request's Authorization header earns it. */
  enum Verdict {
    ACCEPTED,
    NO_TOKENS,
    MISSING,
    INVALID
  }

  @Override
  public void handle(RoutingContext ctx) {
    switch (check(ctx.request().getHeader("Authorization"))) {
      case ACCEPTED -> ctx.next();
      case NO_TOKENS ->
          BodyReader.refuse(
              ctx,
              403,
              "no tokens configured",
              "POST requests are refused until a token is set: server.tokens in the config, or"
                  + " the CARETAKER_TOKEN environment variable with the default config");
      case MISSING, INVALID -> {
        ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"caretaker\"");
        boolean missing = ctx.request().getHeader("Authorization") == null;
        BodyReader.refuse(
            ctx,
            401,
            "unauthorized",
            missing ? "missing Authorization: Bearer <token>" : "invalid token");
      }
    }
  }

  Verdict check(String header) {
    if (tokens.isEmpty()) {
      return Verdict.NO_TOKENS;
    }
    if (header == null) {
      return Verdict.MISSING;
    }
    return header.regionMatches(true, 0, "Bearer ", 0, 7) && known(header.substring(7).trim())
        ? Verdict.ACCEPTED
        : Verdict.INVALID;
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
