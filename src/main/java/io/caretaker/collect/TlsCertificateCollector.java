package io.caretaker.collect;

import io.caretaker.config.TlsConfig;
import io.caretaker.config.TlsConfig.Source;
import io.caretaker.metrics.Family;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When each watched certificate expires (what `openssl s_client` and `openssl x509 -enddate` are
 * run by hand for): every certificate of PEM files and keystores, and the chain each TLS endpoint
 * presents, read every {@code interval} (the result served every cycle in between). An endpoint's
 * chain is read even when it does not verify, and whether it verifies against the JVM's trust store
 * is its own series. A source that cannot be read is {@code caretaker_tls_probe_success 0} with its
 * reason in the log, never an exception.
 */
public final class TlsCertificateCollector implements Collector {
  private static final Logger log = LoggerFactory.getLogger(TlsCertificateCollector.class);

  private final TlsConfig config;
  private final Clock clock;
  private Instant readAt = Instant.MIN;
  private List<MetricSnapshot> last = List.of();

  public TlsCertificateCollector(TlsConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  @Override
  public String name() {
    return "tls";
  }

  @Override
  public synchronized List<MetricSnapshot> collect() {
    Instant now = clock.instant();
    if (now.isBefore(readAt.plus(config.interval()))) { // Instant.MIN: never read, so due
      return last;
    }
    readAt = now;
    Family notAfter =
        Family.gauge(
            "caretaker_tls_cert_not_after_timestamp_seconds",
            "When each certificate expires, unix seconds.",
            "source",
            "subject",
            "serial");
    Family notBefore =
        Family.gauge(
            "caretaker_tls_cert_not_before_timestamp_seconds",
            "When each certificate became valid, unix seconds.",
            "source",
            "subject",
            "serial");
    Family success =
        Family.gauge(
            "caretaker_tls_probe_success", "1 when the source's certificates were read.", "source");
    Family verified =
        Family.gauge(
            "caretaker_tls_chain_verified",
            "1 when an endpoint's chain verifies against the JVM's trust store.",
            "source");
    for (Source source : config.certificates()) {
      try {
        Read read = read(source);
        for (X509Certificate c : read.chain()) {
          String subject = c.getSubjectX500Principal().getName();
          String serial = c.getSerialNumber().toString(16);
          notAfter.add(c.getNotAfter().getTime() / 1000.0, source.name(), subject, serial);
          notBefore.add(c.getNotBefore().getTime() / 1000.0, source.name(), subject, serial);
        }
        read.verified().ifPresent(v -> verified.add(v ? 1 : 0, source.name()));
        success.add(1, source.name());
      } catch (IOException | GeneralSecurityException | RuntimeException e) {
        success.add(0, source.name());
        log.warn("Cannot read the certificates of {}: {}", source.name(), e.toString());
      }
    }
    last =
        List.of(
            notAfter.toSnapshot(),
            notBefore.toSnapshot(),
            success.toSnapshot(),
            verified.toSnapshot());
    return last;
  }

  /** A source's certificates, and for an endpoint whether its chain verified. */
  private record Read(List<X509Certificate> chain, Optional<Boolean> verified) {}

  private Read read(Source source) throws IOException, GeneralSecurityException {
    if (source instanceof Source.PemFile p) {
      try (InputStream in = Files.newInputStream(p.file())) {
        List<X509Certificate> chain = new ArrayList<>();
        for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          chain.add((X509Certificate) c);
        }
        if (chain.isEmpty()) {
          throw new IOException(p.file() + " holds no certificate");
        }
        return new Read(chain, Optional.empty());
      }
    }
    if (source instanceof Source.Keystore k) {
      KeyStore store = KeyStore.getInstance(k.type());
      try (InputStream in = Files.newInputStream(k.file())) {
        store.load(in, k.password().map(String::toCharArray).orElse(null));
      }
      List<X509Certificate> chain = new ArrayList<>();
      for (String alias : Collections.list(store.aliases())) {
        Certificate[] certs = store.getCertificateChain(alias);
        if (certs == null && store.getCertificate(alias) != null) {
          certs = new Certificate[] {store.getCertificate(alias)};
        }
        for (Certificate c : certs == null ? new Certificate[0] : certs) {
          chain.add((X509Certificate) c);
        }
      }
      return new Read(chain, Optional.empty());
    }
    return probe((Source.Endpoint) source);
  }

  /** A TLS handshake that accepts any chain (to read it), then verifies the chain apart. */
  private Read probe(Source.Endpoint e) throws IOException, GeneralSecurityException {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {new AcceptAny()}, null);
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
      int timeout = (int) config.timeout().toMillis();
      socket.setSoTimeout(timeout);
      socket.connect(new InetSocketAddress(e.host(), e.port()), timeout);
      String sni = e.serverName().orElse(e.host());
      if (!sni.matches("[0-9.:]+")) { // SNI carries names, never addresses
        SSLParameters params = socket.getSSLParameters();
        params.setServerNames(List.of(new SNIHostName(sni)));
        socket.setSSLParameters(params);
      }
      socket.startHandshake();
      List<X509Certificate> chain = new ArrayList<>();
      for (Certificate c : socket.getSession().getPeerCertificates()) {
        chain.add((X509Certificate) c);
      }
      return new Read(chain, Optional.of(verifies(chain)));
    }
  }

  private static boolean verifies(List<X509Certificate> chain) {
    try {
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init((KeyStore) null);
      for (TrustManager m : factory.getTrustManagers()) {
        if (m instanceof X509TrustManager x) {
          x.checkServerTrusted(chain.toArray(new X509Certificate[0]), "UNKNOWN");
          return true;
        }
      }
      return false;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** Reads any chain: verification is done apart ({@link #verifies}), never trusted for data. */
  private static final class AcceptAny implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
