package io.caretaker.actions.redis;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.caretaker.actions.files.FileRetentionAction;
import io.caretaker.config.ActionSpec;
import io.caretaker.config.ConfigException;
import io.caretaker.config.ConfigLoader;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * Globs from the config: a Redis protect glob matches any key without throwing or hanging, and a
 * file-retention glob is either refused by the config or builds a working action.
 */
class GlobFuzzTest {
  @FuzzTest
  void globs(FuzzedDataProvider data) {
    String glob = data.consumeString(200);
    RedisGlob redis = new RedisGlob(glob);
    redis.matches(data.consumeBytes(200));
    redis.disjointFrom(new RedisGlob(data.consumeString(50)));
    String yaml =
        "actions:\n  a: { type: file-retention, roots: [/tmp/caretaker-fuzz], include: ["
            + quoted(glob)
            + "] }\n";
    ActionSpec.FileRetention spec;
    try {
      spec =
          (ActionSpec.FileRetention)
              ConfigLoader.parse("t.yml", yaml, Map.of()).actions().get("a").spec();
    } catch (ConfigException refused) {
      return;
    }
    new FileRetentionAction(spec, Clock.systemUTC(), Path.of("/tmp/caretaker-fuzz-data"));
  }

  /** A YAML double-quoted scalar holding exactly {@code text}. */
  private static String quoted(String text) {
    StringBuilder out = new StringBuilder("\"");
    text.chars().forEach(c -> out.append(String.format("\\u%04x", c)));
    return out.append('"').toString();
  }
}
