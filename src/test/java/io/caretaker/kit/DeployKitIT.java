package io.caretaker.kit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.caretaker.config.ActionSpec;
import io.caretaker.config.Config;
import io.caretaker.config.ConfigLoader;
import io.caretaker.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy/: what users copy must be valid as shipped. */
class DeployKitIT {
  @TempDir Path dir;

  @Test
  void exampleConfigIsValidAndUsesEverySection() throws Exception {
    Config c =
        ConfigLoader.parse(
            "deploy/caretaker.example.yml",
            Files.readString(Path.of("deploy/caretaker.example.yml")),
            Map.of("HOSTNAME", "trade-host-1", "CARETAKER_TOKEN", "t"));
    assertThat(c.redis()).isPresent();
    assertThat(c.actions().keySet())
        .contains(
            "jvm-gc",
            "cache-cleanup",
            "log-cleanup",
            "router-logs",
            "health-report",
            "backup",
            "restart-feed");
    assertThat(c.actions().values().stream().map(a -> a.type()).distinct())
        .as("every action type has an example")
        .containsExactlyInAnyOrderElementsOf(ActionSpec.TYPES);
    assertThat(c.schedules()).isNotEmpty();
    assertThat(c.alertmanager().routes()).isNotEmpty();
    assertThat(c.maintenance().windows()).isNotEmpty();
  }

  @Test
  void prometheusExampleWithTheShippedRulesPassesPromtool() throws Exception {
    Path promtool = Tools.require("promtool", "prometheus");
    Files.copy(Path.of("deploy/prometheus.yml"), dir.resolve("prometheus.yml"));
    Files.copy(Path.of("alerts/caretaker.rules.yml"), dir.resolve("caretaker.rules.yml"));
    Files.copy(
        Path.of("alerts/caretaker-local.rules.yml"), dir.resolve("caretaker-local.rules.yml"));
    Tools.Result check =
        Tools.run(
            List.of(
                promtool.toString(), "check", "config", dir.resolve("prometheus.yml").toString()),
            "");
    assertThat(check.exitCode()).as(check.output()).isZero();
  }

  @Test
  void kubernetesManifestsParseWithTheExpectedKinds() throws Exception {
    List<String> kinds = new ArrayList<>();
    try (MappingIterator<JsonNode> docs =
        new YAMLMapper()
            .readerFor(JsonNode.class)
            .readValues(Path.of("deploy/kubernetes/caretaker.yaml").toFile())) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        kinds.add(doc.path("kind").asText());
        assertThat(doc.path("metadata").path("namespace").asText()).isEqualTo("monitoring");
      }
    }
    assertThat(kinds).containsExactly("DaemonSet", "Service", "PodMonitor", "ServiceMonitor");
  }

  @Test
  void systemdUnitRunsAsItsOwnUserWithAReadOnlySystem() throws Exception {
    String unit = Files.readString(Path.of("deploy/caretaker.service"));
    assertThat(unit)
        .contains(
            "User=caretaker",
            "ProtectSystem=strict",
            "NoNewPrivileges=true",
            "ReadWritePaths=",
            "RestartPreventExitStatus=2");
  }
}
