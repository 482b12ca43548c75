package io.caretaker.kit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.caretaker.config.ConfigLoader;
import io.caretaker.rules.PrometheusRules;
import io.caretaker.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** alerts/: promtool checks and unit tests, and agreement with `rules export`. */
class AlertRulesIT {
  private static final Path RULES = Path.of("alerts/caretaker.rules.yml");
  private static final YAMLMapper YAML = new YAMLMapper();

  private static List<String> tests() throws Exception {
    try (Stream<Path> files = Files.list(Path.of("alerts/tests"))) {
      return files.map(Path::toString).filter(f -> f.endsWith(".yml")).sorted().toList();
    }
  }

  @Test
  void promtoolChecksAndUnitTestsPass() throws Exception {
    Path promtool = Tools.require("promtool", "prometheus");
    Tools.Result check =
        Tools.run(List.of(promtool.toString(), "check", "rules", RULES.toString()), "");
    assertThat(check.exitCode()).as(check.output()).isZero();
    List<String> test = new ArrayList<>(List.of(promtool.toString(), "test", "rules"));
    test.addAll(tests());
    Tools.Result run = Tools.run(test, "");
    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.output()).doesNotContain("FAILED");
  }

  @Test
  void everyAlertHasSeverityAnnotationsAndAUnitTest() throws Exception {
    Set<String> tested = new HashSet<>();
    for (String file : tests()) {
      for (JsonNode t : YAML.readTree(Path.of(file).toFile()).path("tests")) {
        t.path("alert_rule_test")
            .forEach(
                a -> {
                  if (!a.path("exp_alerts").isEmpty()) {
                    tested.add(a.path("alertname").asText());
                  }
                });
      }
    }
    for (JsonNode alert : alerts(YAML.readTree(RULES.toFile()))) {
      String name = alert.path("alert").asText();
      assertThat(alert.path("labels").path("severity").asText())
          .as(name)
          .isIn("info", "warning", "critical");
      assertThat(alert.path("annotations").path("summary").asText()).as(name).isNotEmpty();
      assertThat(alert.path("annotations").path("description").asText()).as(name).isNotEmpty();
      assertThat(alert.path("annotations").path("runbook_url").asText())
          .as(name)
          .startsWith("https://");
      assertThat(tested).as("a promtool test where %s fires", name).contains(name);
    }
  }

  @Test
  void hostGroupEqualsTheExportOfTheDefaultConfig() throws Exception {
    JsonNode exported = YAML.readTree(PrometheusRules.export(ConfigLoader.loadDefault().rules()));
    JsonNode shipped = null;
    for (JsonNode g : YAML.readTree(RULES.toFile()).path("groups")) {
      if (g.path("name").asText().equals("caretaker-host")) {
        shipped = g.path("rules");
      }
    }
    assertThat(shipped).isNotNull();
    List<JsonNode> want = alerts(exported);
    assertThat(shipped).hasSameSizeAs(want);
    for (int i = 0; i < want.size(); i++) {
      JsonNode w = want.get(i);
      JsonNode s = shipped.get(i);
      assertThat(s.path("alert")).isEqualTo(w.path("alert"));
      assertThat(s.path("expr")).as(w.path("alert").asText()).isEqualTo(w.path("expr"));
      assertThat(s.path("for")).as(w.path("alert").asText()).isEqualTo(w.path("for"));
      assertThat(s.path("labels")).as(w.path("alert").asText()).isEqualTo(w.path("labels"));
      assertThat(s.path("annotations").path("summary"))
          .isEqualTo(w.path("annotations").path("summary"));
    }
  }

  @Test
  void alertmanagerExampleIsValid() throws Exception {
    Path amtool = Tools.require("amtool", "prometheus-alertmanager");
    Tools.Result check =
        Tools.run(
            List.of(amtool.toString(), "check-config", "alerts/alertmanager.example.yml"), "");
    assertThat(check.exitCode()).as(check.output()).isZero();
    assertThat(check.output()).contains("SUCCESS");
  }

  private static List<JsonNode> alerts(JsonNode file) {
    List<JsonNode> all = new ArrayList<>();
    file.path("groups").forEach(g -> g.path("rules").forEach(all::add));
    return all;
  }
}
