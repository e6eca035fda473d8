package ai.onsembl.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version the Maven build wrote into the jar's manifest ({@code Implementation-Version}) and
 * into {@code onsembl-version.properties}; without picocli (the start path reads it), {@link
 * VersionProvider} is its picocli face. The manifest comes first: it is read with the class (or
 * mapped from the class-data archive), while a resource lookup searches the JDK's image and then
 * opens every jar of the class path before this one. The properties file is for runs from a
 * directory of classes (no manifest).
 */
final class BuildVersion {
  private BuildVersion() {}

  static String version() {
    Package pkg = BuildVersion.class.getPackage();
    String v = pkg == null ? null : pkg.getImplementationVersion();
    if (v != null && !v.isEmpty()) {
      return v;
    }
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
