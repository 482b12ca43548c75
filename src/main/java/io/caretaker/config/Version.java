package io.caretaker.config;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The build's version, from a resource Maven writes at build time. */
public final class Version implements IVersionProvider {
  public static final String VALUE = load();

  @Override
  public String[] getVersion() {
    return new String[] {"caretaker " + VALUE, "Java " + Runtime.version()};
  }

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException | NullPointerException e) {
      return "unknown";
    }
  }
}
