package io.caretaker.kit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.caretaker.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** alerts/: promtool checks and unit tests; every alert complete and tested. */
class AlertRulesIT {
  /** The hand-written rules and the generated local ones (CommandLineIT checks the latter). */
  private static final List<Path> RULES =
      List.of(Path.of("alerts/caretaker.rules.yml"), Path.of("alerts/caretaker-local.rules.yml"));

  private static final YAMLMapper YAML = new YAMLMapper();

  private static List<String> tests() throws Exception {
    try (Stream<Path> files = Files.list(Path.of("alerts/tests"))) {
      return files.map(Path::toString).filter(f -> f.endsWith(".yml")).sorted().toList();
    }
  }

  @Test
  void promtoolChecksAndUnitTestsPass() throws Exception {
    Path promtool = Tools.require("promtool", "prometheus");
    List<String> checkRules = new ArrayList<>(List.of(promtool.toString(), "check", "rules"));
    RULES.forEach(r -> checkRules.add(r.toString()));
    Tools.Result check = Tools.run(checkRules, "");
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
    List<JsonNode> alerts = new ArrayList<>();
    for (Path r : RULES) {
      alerts.addAll(alerts(YAML.readTree(r.toFile())));
    }
    for (JsonNode alert : alerts) {
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
