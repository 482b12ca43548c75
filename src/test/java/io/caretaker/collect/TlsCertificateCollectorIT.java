package io.caretaker.collect;

import static org.assertj.core.api.Assertions.assertThat;

import io.caretaker.config.ConfigLoader;
import io.caretaker.config.TlsConfig;
import io.caretaker.metrics.Series;
import io.caretaker.testing.Tools;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificates made by the test with keytool (known validity), read from a PEM file, a PKCS#12
 * keystore and a TLS server the test runs on a free port; an expired one and a closed port.
 */
class TlsCertificateCollectorIT {
  private static final Duration DAY = Duration.ofDays(1);

  @TempDir Path dir;

  private Path keystore(String alias, String startdate, int days) throws Exception {
    Path store = dir.resolve(alias + ".p12");
    List<String> command =
        new ArrayList<>(
            List.of(
                Tools.require("keytool", "openjdk-17-jdk-headless").toString(),
                "-genkeypair",
                "-alias",
                alias,
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=" + alias + ".test",
                "-validity",
                Integer.toString(days),
                "-keystore",
                store.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                "secret1"));
    if (startdate != null) {
      command.addAll(List.of("-startdate", startdate));
    }
    Tools.Result r = Tools.run(command, "");
    assertThat(r.exitCode()).as(r.output()).isZero();
    return store;
  }

  private Path pem(Path store, String alias) throws Exception {
    Path pem = dir.resolve(alias + ".pem");
    Tools.Result r =
        Tools.run(
            List.of(
                "keytool",
                "-exportcert",
                "-rfc",
                "-alias",
                alias,
                "-keystore",
                store.toString(),
                "-storepass",
                "secret1",
                "-file",
                pem.toString()),
            "");
    assertThat(r.exitCode()).as(r.output()).isZero();
    return pem;
  }

  /** A TLS server with {@code store}'s key, answering handshakes until closed. */
  private static SSLServerSocket server(Path store) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, "secret1".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "secret1".toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    SSLServerSocket server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0);
    Thread accept =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try (SSLSocket s = (SSLSocket) server.accept()) {
                  s.startHandshake();
                } catch (Exception e) {
                  // the probe hangs up after the handshake, or the server closes
                }
              }
            });
    accept.setDaemon(true);
    accept.start();
    return server;
  }

  private static double value(MetricSnapshots m, String name, String source) {
    return Series.index(m, Set.of(name)).getOrDefault(name, List.of()).stream()
        .filter(s -> source.equals(s.labels().get("source")))
        .mapToDouble(Series::value)
        .findFirst()
        .orElse(Double.NaN);
  }

  @Test
  void expiryOfFilesKeystoresAndEndpointsAndFailuresReportedNotThrown() throws Exception {
    Path valid = keystore("valid", null, 30);
    Path expired = keystore("expired", "-10d", 5);
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    try (SSLServerSocket server = server(valid)) {
      TlsConfig config =
          ConfigLoader.parse(
                  "t.yml",
                  """
                  tls:
                    certificates:
                      - { file: %s, name: pem }
                      - { keystore: %s, password: secret1, name: old }
                      - { endpoint: "127.0.0.1:%d", name: server }
                      - { endpoint: "127.0.0.1:%d", name: closed }
                  """
                      .formatted(pem(valid, "valid"), expired, server.getLocalPort(), closed),
                  Map.of())
              .tls()
              .orElseThrow();
      Instant now = Instant.now();
      MetricSnapshots m =
          new MetricSnapshots(new TlsCertificateCollector(config, Clock.systemUTC()).collect());

      double pemExpiry = value(m, "caretaker_tls_cert_not_after_timestamp_seconds", "pem");
      assertThat(pemExpiry)
          .as("keytool -validity 30")
          .isBetween(
              (double) now.plus(Duration.ofDays(30)).minus(DAY).getEpochSecond(),
              (double) now.plus(Duration.ofDays(30)).plus(DAY).getEpochSecond());
      assertThat(value(m, "caretaker_tls_cert_not_after_timestamp_seconds", "server"))
          .as("the endpoint presents the same certificate")
          .isEqualTo(pemExpiry);
      assertThat(value(m, "caretaker_tls_cert_not_after_timestamp_seconds", "old"))
          .as("expired five days after it began, ten days ago")
          .isLessThan(now.getEpochSecond());
      assertThat(value(m, "caretaker_tls_probe_success", "server")).isEqualTo(1);
      assertThat(value(m, "caretaker_tls_chain_verified", "server"))
          .as("self-signed: read, and said not to verify")
          .isEqualTo(0);
      assertThat(value(m, "caretaker_tls_probe_success", "closed")).isEqualTo(0);
      assertThat(value(m, "caretaker_tls_probe_success", "old")).isEqualTo(1);
      assertThat(m.stream().flatMap(s -> s.getDataPoints().stream()))
          .anySatisfy(p -> assertThat(p.getLabels().get("subject")).isEqualTo("CN=valid.test"));
    }
  }
}
