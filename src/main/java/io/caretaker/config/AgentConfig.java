package io.caretaker.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Who this agent is and where it keeps its state. */
public record AgentConfig(String instance, Path dataDir) {
  static AgentConfig read(Section s) {
    AgentConfig config =
        new AgentConfig(
            s.optionalString("instance").orElseGet(AgentConfig::hostname),
            Path.of(s.string("data_dir", "./caretaker-data")).toAbsolutePath().normalize());
    s.finish();
    return config;
  }

  /** The kernel's hostname; no DNS lookup, which can hang on a badly configured host. */
  private static String hostname() {
    try {
      return Files.readAllLines(Path.of("/proc/sys/kernel/hostname")).get(0).trim();
    } catch (IOException | IndexOutOfBoundsException e) {
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException unknown) {
        return "localhost";
      }
    }
  }
}
