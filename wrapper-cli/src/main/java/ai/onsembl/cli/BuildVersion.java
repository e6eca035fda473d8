package ai.onsembl.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version the Maven build wrote into {@code onsembl-version.properties}; without picocli (the
 * start path reads it), {@link VersionProvider} is its picocli face.
 */
final class BuildVersion {
  private BuildVersion() {}

  static String version() {
    Properties p = new Properties();
    try (InputStream in = BuildVersion.class.getResourceAsStream("/onsembl-version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      return "unknown";
    }
    return p.getProperty("version", "unknown");
  }
}
