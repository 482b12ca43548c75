package io.caretaker.kit;

import static org.assertj.core.api.Assertions.assertThat;

import io.caretaker.config.Config;
import io.caretaker.config.ConfigLoader;
import io.caretaker.config.RuleConfig;
import io.caretaker.config.ScheduleConfig;
import io.caretaker.testing.AgentProcess;
import io.caretaker.testing.Tools;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * target/caretaker_VERSION_all.deb, built by `mvn package`: what it holds, lintian's verdict, and
 * its launcher started from a temporary root it was unpacked into (never installed here).
 */
class DebianPackageIT {
  @TempDir static Path root;
  private static Path deb;

  @TempDir Path dir;

  @BeforeAll
  static void unpack() throws Exception {
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      List<Path> debs =
          files.filter(f -> f.getFileName().toString().matches("caretaker_.+_all\\.deb")).toList();
      assertThat(debs).as("the package mvn package builds").hasSize(1);
      deb = debs.get(0);
    }
    Path dpkgDeb = Tools.require("dpkg-deb", "dpkg");
    Tools.Result x =
        Tools.run(List.of(dpkgDeb.toString(), "-x", deb.toString(), root.toString()), "");
    assertThat(x.exitCode()).as(x.output()).isZero();
  }

  private static String dpkgDeb(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("dpkg-deb"));
    command.addAll(List.of(args));
    command.add(deb.toString());
    Tools.Result r = Tools.run(command, "");
    assertThat(r.exitCode()).as(r.output()).isZero();
    return r.output();
  }

  @Test
  void theControlDataNamesAJavaRuntimeAndTheConfigIsAConffile() throws Exception {
    assertThat(dpkgDeb("-f")).contains("Package: caretaker", "Architecture: all");
    assertThat(dpkgDeb("-f").lines().filter(l -> l.startsWith("Depends:")).findFirst())
        .hasValueSatisfying(d -> assertThat(d).contains("java17-runtime-headless"));
    assertThat(dpkgDeb("-I")).contains("conffiles", "postinst");
    assertThat(Files.isExecutable(root.resolve("usr/bin/caretaker"))).isTrue();
    assertThat(root.resolve("usr/share/caretaker/caretaker.jar")).isRegularFile();
    assertThat(root.resolve("usr/share/doc/caretaker/copyright")).isRegularFile();
    assertThat(Files.readString(root.resolve("lib/systemd/system/caretaker.service")))
        .isEqualTo(Files.readString(Path.of("deploy/caretaker.service")))
        .contains("ExecStart=/usr/bin/caretaker serve", "ProtectSystem=strict")
        .contains("NoNewPrivileges=true", "ReadWritePaths=/var/lib/caretaker");
    Path control = Files.createDirectories(dir.resolve("control"));
    Tools.Result e = Tools.run(List.of("dpkg-deb", "-e", deb.toString(), control.toString()), "");
    assertThat(e.exitCode()).as(e.output()).isZero();
    assertThat(Files.readString(control.resolve("conffiles")).lines())
        .containsExactly("/etc/caretaker/caretaker.yml");
    assertThat(Files.readString(control.resolve("postinst"))).contains("adduser --system");
  }

  @Test
  void lintianReportsNoError() throws Exception {
    Path lintian = Tools.require("lintian", "lintian");
    Tools.Result r =
        Tools.run(List.of(lintian.toString(), "--fail-on", "error", deb.toString()), "");
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output().lines().filter(l -> l.startsWith("E: "))).isEmpty();
  }

  /** The conffile is the embedded default written out: same rules, actions and schedules. */
  @Test
  void theConffileIsTheEmbeddedDefaultMadeExplicit() throws Exception {
    Config shipped = ConfigLoader.load(root.resolve("etc/caretaker/caretaker.yml"));
    Config embedded = ConfigLoader.loadDefault();
    assertThat(shipped.rules()).isEqualTo(embedded.rules());
    assertThat(shipped.actions().keySet()).isEqualTo(embedded.actions().keySet());
    assertThat(shipped.schedules().stream().map(ScheduleConfig::id))
        .containsExactlyElementsOf(embedded.schedules().stream().map(ScheduleConfig::id).toList());
    assertThat(shipped.rules().stream().map(RuleConfig::name)).contains("disk-full");
    assertThat(shipped.agent().dataDir()).isEqualTo(Path.of("/var/lib/caretaker"));
  }

  @Test
  void theLauncherRunsTheAgentLightUnlessJavaOptsSaysOtherwise() throws Exception {
    Map<String, String> env =
        Map.of("CARETAKER_PORT", "0", "CARETAKER_DATA_DIR", dir.resolve("data").toString());
    List<String> serve =
        List.of(
            root.resolve("usr/bin/caretaker").toString(),
            "serve",
            "-c",
            root.resolve("etc/caretaker/caretaker.yml").toString());
    try (AgentProcess agent = AgentProcess.launch(dir, env, serve)) {
      int port = agent.awaitPort();
      assertThat(commandLine(agent.pid()))
          .contains("-Xmx48m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
          .contains(root.resolve("usr/share/caretaker/caretaker.jar").toString());
      String metrics =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(metrics).contains("host_cpus ");
      assertThat(dir.resolve("data")).isDirectory();
    }
    Map<String, String> own = new HashMap<>(env);
    own.put("JAVA_OPTS", "-Xmx64m");
    try (AgentProcess agent = AgentProcess.launch(dir, own, serve)) {
      agent.awaitPort();
      assertThat(commandLine(agent.pid())).contains("-Xmx64m").doesNotContain("-Xmx48m");
    }
  }

  private static String commandLine(long pid) throws Exception {
    return new String(
            Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8)
        .replace('\0', ' ');
  }
}
