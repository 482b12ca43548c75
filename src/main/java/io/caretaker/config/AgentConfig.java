package io.caretaker.config;

import java.nio.file.Path;

/** Who this agent is and where it keeps its state. */
public record AgentConfig(String instance, Path dataDir) {
  static AgentConfig read(Section s, String defaultInstance) {
    AgentConfig config =
        new AgentConfig(
            s.string("instance", defaultInstance),
            Path.of(s.string("data_dir", "./caretaker-data")).toAbsolutePath().normalize());
    s.finish();
    return config;
  }
}
