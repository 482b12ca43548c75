package io.caretaker.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The status page: {@code /} and its few assets under {@code /ui/}, read from the jar once. Nothing
 * is fetched from elsewhere (the host may have no internet), and the Content-Security-Policy allows
 * only this origin and no inline script or style, so text from outside (alert labels, reasons,
 * figures) that somehow became markup still could not run. Every URL the page uses is relative, so
 * it works behind a reverse proxy's path prefix.
 */
final class ConsolePage {
  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
          + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private record Asset(Buffer body, String type) {}

  private static final Map<String, Asset> ASSETS =
      Map.of(
          "index.html", asset("index.html", "text/html; charset=utf-8"),
          "app.js", asset("app.js", "text/javascript; charset=utf-8"),
          "app.css", asset("app.css", "text/css; charset=utf-8"),
          "favicon.svg", asset("favicon.svg", "image/svg+xml"));

  private ConsolePage() {}

  /** {@code GET /}: the page. */
  static void handleIndex(RoutingContext ctx) {
    send(ctx, ASSETS.get("index.html"));
  }

  /** {@code GET /ui/:file}: an asset by its exact name, or 404. */
  static void handleAsset(RoutingContext ctx) {
    Asset asset = ASSETS.get(ctx.pathParam("file"));
    if (asset == null || ctx.pathParam("file").equals("index.html")) {
      HttpVerticle.error(ctx, 404, "not found", ctx.request().path());
      return;
    }
    send(ctx, asset);
  }

  private static void send(RoutingContext ctx, Asset asset) {
    HttpServerResponse r = ctx.response();
    r.putHeader("Content-Type", asset.type())
        .putHeader("Content-Security-Policy", CSP)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Cache-Control", "no-cache")
        .end(asset.body());
  }

  private static Asset asset(String name, String type) {
    try (InputStream in = ConsolePage.class.getResourceAsStream("ui/" + name)) {
      if (in == null) {
        throw new IllegalStateException("ui/" + name + " is missing from the jar");
      }
      return new Asset(Buffer.buffer(in.readAllBytes()), type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
