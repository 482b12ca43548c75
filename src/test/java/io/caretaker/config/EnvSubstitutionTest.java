package io.caretaker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ${VAR}, ${VAR:-default} and $$, and what an unset variable means. */
class EnvSubstitutionTest {
  private final List<ConfigProblem> problems = new ArrayList<>();
  private final EnvSubstitution env =
      new EnvSubstitution(Map.of("HOST", "trade-01", "EMPTY", ""), "t.yml");

  private String apply(String text) {
    return env.apply(text, "a.b", 3, problems);
  }

  @Test
  void replacesSetVariablesAndDefaultsAndKeepsDollarsEscaped() {
    assertThat(apply("${HOST}:9464")).isEqualTo("trade-01:9464");
    assertThat(apply("${PORT:-9464}")).isEqualTo("9464");
    assertThat(apply("${EMPTY:-fallback}")).isEqualTo("fallback");
    assertThat(apply("${UNSET:-}")).isEmpty();
    assertThat(apply("cost $$5")).isEqualTo("cost $5");
    assertThat(apply("no variables")).isEqualTo("no variables");
    assertThat(problems).isEmpty();
  }

  @Test
  void anUnsetOrEmptyVariableWithoutDefaultIsAProblemAtItsKey() {
    apply("${UNSET}");
    apply("${EMPTY}");
    assertThat(problems)
        .extracting(ConfigProblem::toString)
        .containsExactly(
            "a.b (t.yml:3): Environment variable UNSET is not set and has no default; set it, or"
                + " write ${UNSET:-} for an empty value",
            "a.b (t.yml:3): Environment variable EMPTY is not set and has no default; set it, or"
                + " write ${EMPTY:-} for an empty value");
  }

  @Test
  void aMalformedReferenceIsAProblem() {
    assertThat(apply("${1BAD}")).isEqualTo("${1BAD}");
    assertThat(problems).singleElement().asString().contains("Malformed variable reference");
  }
}
