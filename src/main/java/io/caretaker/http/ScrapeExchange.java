package io.caretaker.http;

import io.prometheus.metrics.exporter.common.PrometheusHttpExchange;
import io.prometheus.metrics.exporter.common.PrometheusHttpRequest;
import io.prometheus.metrics.exporter.common.PrometheusHttpResponse;
import io.vertx.core.MultiMap;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One scrape as the Prometheus client's handler sees it: a copy of the request taken on the event
 * loop, and a response captured in memory so the event loop can write it back.
 */
final class ScrapeExchange
    implements PrometheusHttpExchange, PrometheusHttpRequest, PrometheusHttpResponse {
  private final String method;
  private final String path;
  private final String rawQuery;
  private final MultiMap headers;

  int status = 500;
  final Map<String, String> responseHeaders = new LinkedHashMap<>();
  final ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);

  ScrapeExchange(String method, String path, String rawQuery, MultiMap headers) {
    this.method = method;
    this.path = path;
    this.rawQuery = rawQuery;
    this.headers = headers;
  }

  @Override
  public PrometheusHttpRequest getRequest() {
    return this;
  }

  @Override
  public PrometheusHttpResponse getResponse() {
    return this;
  }

  @Override
  public String getQueryString() {
    return rawQuery;
  }

  /** Null for an absent header: the handler treats an empty enumeration as a present header. */
  @Override
  public Enumeration<String> getHeaders(String name) {
    List<String> values = headers.getAll(name);
    return values.isEmpty() ? null : Collections.enumeration(values);
  }

  @Override
  public String getMethod() {
    return method;
  }

  @Override
  public String getRequestPath() {
    return path;
  }

  @Override
  public void setHeader(String name, String value) {
    responseHeaders.put(name, value);
  }

  @Override
  public OutputStream sendHeadersAndGetBody(int statusCode, int contentLength) {
    this.status = statusCode;
    return body;
  }

  @Override
  public void handleException(IOException e) throws IOException {
    throw e;
  }

  @Override
  public void handleException(RuntimeException e) {
    throw e;
  }

  @Override
  public void close() {}
}
