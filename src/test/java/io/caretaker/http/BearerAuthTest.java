package io.caretaker.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.caretaker.http.BearerAuth.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which Authorization headers pass, without a server. */
class BearerAuthTest {
  private final BearerAuth auth = new BearerAuth(List.of("first-token", "second-token"));

  @Test
  void anyConfiguredTokenPassesWhateverTheCaseOfBearer() {
    assertThat(auth.check("Bearer first-token")).isEqualTo(Verdict.ACCEPTED);
    assertThat(auth.check("bearer second-token ")).isEqualTo(Verdict.ACCEPTED);
  }

  @Test
  void prefixesSuffixesOtherSchemesAndNothingDoNot() {
    assertThat(auth.check(null)).isEqualTo(Verdict.MISSING);
    assertThat(auth.check("Bearer first")).isEqualTo(Verdict.INVALID);
    assertThat(auth.check("Bearer first-token-and-more")).isEqualTo(Verdict.INVALID);
    assertThat(auth.check("Basic Zmlyc3QtdG9rZW4=")).isEqualTo(Verdict.INVALID);
    assertThat(auth.check("Bearer")).isEqualTo(Verdict.INVALID);
    assertThat(auth.check("")).isEqualTo(Verdict.INVALID);
  }

  @Test
  void withoutTokensEveryPostIsRefused() {
    assertThat(new BearerAuth(List.of()).check("Bearer anything")).isEqualTo(Verdict.NO_TOKENS);
  }
}
