package io.caretaker.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.caretaker.collect.CollectionLoop;
import io.caretaker.collect.Collector;
import io.caretaker.collect.FilesystemCollector;
import io.caretaker.collect.HostCollectors;
import io.caretaker.collect.JvmCollector;
import io.caretaker.collect.PressureCollector;
import io.caretaker.config.ConfigLoader;
import io.caretaker.config.ServerConfig;
import io.caretaker.metrics.LabelCap;
import io.caretaker.testing.Tools;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class HttpVerticleTest {
  /** Host metric names docs/metrics.md promises after the first collection. */
  static final List<String> DOCUMENTED_HOST_METRICS =
      List.of(
          "host_cpu_seconds_total",
          "host_cpus",
          "host_cpu_utilization_ratio",
          "host_load1",
          "host_load5",
          "host_load15",
          "host_memory_total_bytes",
          "host_memory_available_bytes",
          "host_memory_used_ratio",
          "host_swap_total_bytes",
          "host_swap_used_bytes",
          "host_filesystem_size_bytes",
          "host_filesystem_avail_bytes",
          "host_filesystem_used_ratio",
          "host_filesystem_files",
          "host_filesystem_files_free",
          "host_disk_read_bytes_total",
          "host_disk_written_bytes_total",
          "host_network_receive_bytes_total",
          "host_network_transmit_bytes_total",
          "host_network_errors_total",
          "host_file_descriptors_open",
          "host_file_descriptors_max",
          "host_processes",
          "host_threads",
          "host_boot_time_seconds");

  private Vertx vertx;
  private CollectionLoop loop;
  private WebClient client;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    PrometheusRegistry registry = new PrometheusRegistry();
    List<Collector> collectors =
        new ArrayList<>(
            HostCollectors.create(
                ConfigLoader.parse("t", "", Map.of()),
                Optional.empty(),
                List.of(),
                new LabelCap(10, registry),
                Clock.systemUTC(),
                () -> false));
    // Also every filesystem with no exclusions, so the test's own directory is always listed.
    collectors.set(2, new FilesystemCollector(List.of(), List.of(), false));
    loop = new CollectionLoop(collectors, Duration.ofSeconds(2), Clock.systemUTC());
    registry.register(loop);
    int port = deploy(registry, () -> loop.latest().isPresent());
    client =
        WebClient.create(
            vertx, new WebClientOptions().setDefaultPort(port).setDecompressionSupported(false));
  }

  @AfterEach
  void stop() {
    loop.close();
  }

  private int deploy(PrometheusRegistry registry, BooleanSupplier ready) throws Exception {
    ServerConfig server = new ServerConfig("127.0.0.1", 0, List.of(), 1 << 20, Optional.empty());
    HttpVerticle verticle = new HttpVerticle(server, registry, ready, null);
    vertx.deployVerticle(verticle).await(10, TimeUnit.SECONDS);
    return verticle.actualPort();
  }

  private HttpResponse<Buffer> get(String uri, String... headers) throws Exception {
    var request = client.get(uri).host("127.0.0.1");
    for (int i = 0; i < headers.length; i += 2) {
      request.putHeader(headers[i], headers[i + 1]);
    }
    return request.send().await(10, TimeUnit.SECONDS);
  }

  private String scrape() throws Exception {
    loop.collectOnce();
    return get("/metrics").bodyAsString();
  }

  private static double sample(String text, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
    assertThat(m.find()).as("series %s in scrape", series).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void everyContractHostMetricIsServedAfterTheFirstCollection() throws Exception {
    String text = scrape();
    for (String name : DOCUMENTED_HOST_METRICS) {
      assertThat(text).as(name).containsPattern("(?m)^" + name + "[{ ]");
    }
    assertThat(text)
        .contains(
            "jvm_memory_used_bytes",
            "process_cpu_seconds_total",
            "caretaker_collector_duration_seconds{collector=\"filesystem\"}",
            "caretaker_collector_errors_total{collector=\"cpu\"} 0.0");
  }

  @Test
  void everyHostAndAgentMetricServedIsDocumented() throws Exception {
    String docs = Files.readString(Path.of("docs/metrics.md"));
    scrape()
        .lines()
        .filter(l -> l.startsWith("# TYPE host_") || l.startsWith("# TYPE caretaker_"))
        .map(l -> l.split(" ")[2])
        .forEach(
            name ->
                assertThat(docs)
                    .as("docs/metrics.md names " + name)
                    .containsPattern("`" + name + "(_total)?`"));
  }

  @Test
  void aFilesystemCollectorStuckOnAHungMountNeitherStallsAScrapeNorHidesIt() throws Exception {
    CountDownLatch mountAnswers = new CountDownLatch(1);
    Collector hung =
        new Collector() {
          @Override
          public String name() {
            return "filesystem";
          }

          @Override
          public List<io.prometheus.metrics.model.snapshots.MetricSnapshot> collect()
              throws Exception {
            mountAnswers.await(); // statfs on an NFS mount whose server went away
            return List.of();
          }
        };
    PrometheusRegistry registry = new PrometheusRegistry();
    try (CollectionLoop hungLoop =
        new CollectionLoop(
            List.of(hung, new PressureCollector(), new JvmCollector()),
            Duration.ofMillis(200),
            Clock.systemUTC())) {
      registry.register(hungLoop);
      int port = deploy(registry, () -> true);
      hungLoop.collectOnce();
      hungLoop.collectOnce(); // the stuck run is not started twice, and still counts as failed
      HttpResponse<Buffer> r =
          client.get(port, "127.0.0.1", "/metrics").send().await(10, TimeUnit.SECONDS);
      assertThat(mountAnswers.getCount()).as("the mount still hangs").isEqualTo(1);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.bodyAsString())
          .contains("caretaker_collector_success{collector=\"filesystem\"} 0")
          .contains("caretaker_collector_errors_total{collector=\"filesystem\"} 2")
          .contains("caretaker_collector_success{collector=\"jvm\"} 1");
    } finally {
      mountAnswers.countDown();
    }
  }

  @Test
  void memoryTotalEqualsProcMeminfo() throws Exception {
    String meminfo = String.join("\n", Files.readAllLines(Path.of("/proc/meminfo")));
    Matcher m = Pattern.compile("MemTotal:\\s+(\\d+) kB").matcher(meminfo);
    assertThat(m.find()).isTrue();
    assertThat(sample(scrape(), "host_memory_total_bytes"))
        .isEqualTo(Long.parseLong(m.group(1)) * 1024.0);
  }

  @Test
  void cpuCountEqualsNproc() throws Exception {
    var nproc = Tools.run(List.of("nproc", "--all"), "");
    assertThat(sample(scrape(), "host_cpus")).isEqualTo(Double.parseDouble(nproc.output().trim()));
  }

  @Test
  void filesystemSizeEqualsJavaFileStore() throws Exception {
    FileStore store = Files.getFileStore(Path.of(".").toAbsolutePath());
    String text = scrape();
    Matcher m =
        Pattern.compile(
                "(?m)^host_filesystem_size_bytes\\{device=\""
                    + Pattern.quote(store.name())
                    + "\",fstype=\""
                    + Pattern.quote(store.type())
                    + "\",mountpoint=\"[^\"]*\"} (\\S+)$")
            .matcher(text);
    assertThat(m.find()).as("filesystem %s (%s) in scrape", store.name(), store.type()).isTrue();
    assertThat(Double.parseDouble(m.group(1))).isEqualTo((double) store.getTotalSpace());
  }

  @Test
  void promtoolFindsNothingInTheHostOutput() throws Exception {
    Path promtool = Tools.require("promtool", "prometheus");
    var result = Tools.run(List.of(promtool.toString(), "check", "metrics"), scrape());
    assertThat(result.output().lines().toList()).as("promtool check metrics output").isEmpty();
  }

  @Test
  void openMetricsWhenAsked() throws Exception {
    loop.collectOnce();
    var resp = get("/metrics", "Accept", "application/openmetrics-text; version=1.0.0");
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(resp.getHeader("Content-Type")).startsWith("application/openmetrics-text");
    assertThat(resp.bodyAsString())
        .contains("# UNIT host_memory_total_bytes bytes")
        .endsWith("# EOF\n");
  }

  @Test
  void protobufWhenAsked() throws Exception {
    loop.collectOnce();
    var resp =
        get(
            "/metrics",
            "Accept",
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited");
    assertThat(resp.getHeader("Content-Type")).startsWith("application/vnd.google.protobuf");
    assertThat(resp.body().getBytes())
        .contains("host_memory_total_bytes".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void gzipWhenAccepted() throws Exception {
    loop.collectOnce();
    var resp = get("/metrics", "Accept-Encoding", "gzip");
    assertThat(resp.getHeader("Content-Encoding")).isEqualTo("gzip");
    String text =
        new String(
            new GZIPInputStream(new ByteArrayInputStream(resp.body().getBytes())).readAllBytes(),
            StandardCharsets.UTF_8);
    assertThat(text).contains("host_memory_total_bytes ");
  }

  @Test
  void nameFilterServesOnlyTheNamedFamilies() throws Exception {
    loop.collectOnce();
    String text = get("/metrics?name[]=host_load1&name[]=host_cpu_seconds_total").bodyAsString();
    assertThat(
            text.lines()
                .filter(l -> !l.startsWith("#"))
                .map(l -> l.replaceAll("[{ ].*", ""))
                .distinct())
        .containsExactlyInAnyOrder("host_load1", "host_cpu_seconds_total");
  }

  @Test
  void oddScrapeRequestsAreServedNotRefused() throws Exception {
    loop.collectOnce();
    var junkAccept = get("/metrics", "Accept", "application/x-nonsense;;;q=banana");
    assertThat(junkAccept.statusCode()).isEqualTo(200);
    assertThat(junkAccept.getHeader("Content-Type")).startsWith("text/plain; version=0.0.4");
    var junkName = get("/metrics?name[]=%5B%5D&name[]=&foo=bar");
    assertThat(junkName.statusCode()).isEqualTo(200);
    var head = client.head("/metrics").host("127.0.0.1").send().await(10, TimeUnit.SECONDS);
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isNull();
    assertThat(Integer.parseInt(head.getHeader("Content-Length"))).isGreaterThan(1000);
  }

  @Test
  void healthIsUpAndReadyWaitsForTheFirstCollection() throws Exception {
    assertThat(get("/health").bodyAsJsonObject().getString("status")).isEqualTo("UP");
    assertThat(get("/ready").statusCode()).isEqualTo(503);
    loop.collectOnce();
    assertThat(get("/ready").statusCode()).isEqualTo(200);
  }

  @Test
  void unknownPathsAndWrongMethodsGetJsonErrors() throws Exception {
    var notFound = get("/nope");
    assertThat(notFound.statusCode()).isEqualTo(404);
    assertThat(notFound.bodyAsJsonObject().getString("error")).isEqualTo("not found");
    var wrongMethod = client.post("/metrics").host("127.0.0.1").send().await(10, TimeUnit.SECONDS);
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(wrongMethod.bodyAsJsonObject().getString("error")).isEqualTo("method not allowed");
  }
}
