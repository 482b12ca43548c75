package io.caretaker.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caretaker.config.AlertmanagerConfig.Silence;
import io.caretaker.config.LabelMatcher;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * No self-inflicted pages: while a run whose side effects would page someone (a restart takes a
 * process down for seconds) goes on, this host's alerts are silenced in Alertmanager (API v2),
 * {@code createdBy: caretaker} and the run in the comment, until the run's timeout plus a margin,
 * and the silence is expired as soon as the run ends. A silence that cannot be made is logged and
 * the run goes on: a page is better than a remediation that never runs.
 */
public final class AlertSilencer {
  private static final Logger log = LoggerFactory.getLogger(AlertSilencer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(3);

  private final Optional<Silence> config;
  // Only when silences are configured: an HttpClient loads TLS (some 350 classes), parses the CA
  // certificates and keeps a selector thread.
  private final Optional<HttpClient> http;

  public AlertSilencer(Optional<Silence> config) {
    this.config = config;
    this.http = config.map(c -> HttpClient.newBuilder().connectTimeout(CALL_TIMEOUT).build());
  }

  public static AlertSilencer none() {
    return new AlertSilencer(Optional.empty());
  }

  /** Creates a silence until {@code until} (plus the margin); its id, or empty when not made. */
  public Optional<String> silence(String comment, Instant now, Instant until) {
    return post(null, comment, now, until);
  }

  /**
   * The run ended: the silence now ends a margin from {@code now} (alerts the restart set off still
   * resolve meanwhile), instead of at the run's worst-case end.
   */
  public void endSoon(String id, String comment, Instant startedAt, Instant now) {
    post(id, comment, startedAt, now);
  }

  private Optional<String> post(String id, String comment, Instant now, Instant until) {
    if (config.isEmpty()) {
      return Optional.empty();
    }
    Silence s = config.get();
    Map<String, Object> body = new LinkedHashMap<>();
    if (id != null) {
      body.put("id", id); // Alertmanager updates the silence in place
    }
    body.put("matchers", s.matchers().stream().map(AlertSilencer::matcher).toList());
    body.put("startsAt", now.toString());
    body.put("endsAt", until.plus(s.margin()).toString());
    body.put("createdBy", "caretaker");
    body.put("comment", comment);
    try {
      HttpResponse<String> r =
          http.orElseThrow()
              .send(
                  HttpRequest.newBuilder(URI.create(s.url() + "/api/v2/silences"))
                      .timeout(CALL_TIMEOUT)
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("HTTP " + r.statusCode() + ": " + abbreviate(r.body()));
      }
      JsonNode answer = JSON.readTree(r.body());
      return Optional.of(answer.path("silenceID").asText());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (Exception e) {
      log.warn("Could not silence alerts for {} at {}: {}", comment, s.url(), e.toString());
      return Optional.empty();
    }
  }

  /** Expires the silence (the run ended); a failure leaves it to its end time. */
  public void expire(String id) {
    Silence s = config.orElseThrow();
    try {
      HttpResponse<String> r =
          http.orElseThrow()
              .send(
                  HttpRequest.newBuilder(URI.create(s.url() + "/api/v2/silence/" + id))
                      .timeout(CALL_TIMEOUT)
                      .DELETE()
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("HTTP " + r.statusCode() + ": " + abbreviate(r.body()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn("Could not expire silence {} at {}: {}", id, s.url(), e.toString());
    }
  }

  private static Map<String, Object> matcher(LabelMatcher m) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", m.name());
    out.put("value", m.value());
    out.put("isRegex", m.op() == LabelMatcher.Op.RE || m.op() == LabelMatcher.Op.NRE);
    out.put("isEqual", m.op() == LabelMatcher.Op.EQ || m.op() == LabelMatcher.Op.RE);
    return out;
  }

  private static String abbreviate(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }
}
