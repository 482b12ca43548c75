package io.caretaker.http;

import io.caretaker.report.Period;
import io.caretaker.report.Report;
import io.caretaker.report.ReportFormats;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.Optional;

/** {@code GET /api/v1/report}: a period's report (docs/operations.md, Reports). */
final class ReportHandler {
  private final AgentParts parts;

  ReportHandler(AgentParts parts) {
    this.parts = parts;
  }

  void handle(RoutingContext ctx) {
    String period = Optional.ofNullable(ctx.queryParams().get("period")).orElse("daily");
    String format = Optional.ofNullable(ctx.queryParams().get("format")).orElse("json");
    Instant now = parts.clock().instant();
    byte[] body;
    try {
      ReportFormats.check(format); // before the report is built
      body =
          ReportFormats.render(
              Report.build(
                  parts.instance(),
                  parts.executor().history(),
                  parts.journal(),
                  Period.parse(period, now),
                  now),
              format);
    } catch (IllegalArgumentException e) {
      HttpVerticle.error(ctx, 400, "invalid report request", e.getMessage());
      return;
    }
    ctx.response()
        .putHeader("Content-Type", ReportFormats.contentType(format))
        // The HTML report carries its own style and nothing else: no script may run in it.
        .putHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
        .end(Buffer.buffer(body));
  }
}
