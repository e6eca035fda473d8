package ai.onsembl.cli;

import picocli.CommandLine.IVersionProvider;

/**
 * {@code --version} and {@code version}: the build's version ({@link BuildVersion}) and the JVM.
 */
public final class VersionProvider implements IVersionProvider {

  public static String version() {
    return BuildVersion.version();
  }

  @Override
  public String[] getVersion() {
    return new String[] {
      "onsembl-agent " + version(),
      "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"
    };
  }
}
