package io.caretaker.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Any config file: a {@link Config}, or a {@link ConfigException} naming what is wrong; nothing
 * else escapes and nothing hangs. Inputs start from the shipped example and defaults.
 */
class ConfigFileFuzzTest {
  @FuzzTest
  void configFile(byte[] file) {
    try {
      ConfigLoader.parse(
          "fuzz.yml",
          new String(file, StandardCharsets.UTF_8),
          Map.of("CARETAKER_TOKEN", "t0ken-for-fuzz", "HOSTNAME", "fuzz"));
    } catch (ConfigException expected) {
      // refused with its problems
    }
  }
}
