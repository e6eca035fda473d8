package ai.onsembl.e2e;

import ai.onsembl.wrapper.testing.RunningProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where the packaged distribution is: {@code wrapper-cli/target/onsembl-agent}, built by the
 * reactor.
 */
public final class Dist {
  private Dist() {}

  /** The distribution's home directory; fails with a clear message when it was not built. */
  public static Path home() {
    String override = System.getProperty("onsembl.dist");
    Path home =
        override != null
            ? Paths.get(override)
            : Paths.get("")
                .toAbsolutePath()
                .resolveSibling("wrapper-cli")
                .resolve("target/onsembl-agent");
    if (!Files.isExecutable(home.resolve("bin/onsembl-agent"))) {
      throw new IllegalStateException(
          "expected the packaged launcher at "
              + home.resolve("bin/onsembl-agent")
              + " but it is missing: run 'mvn package' at the root (scripts/test does)");
    }
    return home;
  }

  public static Path launcher() {
    return home().resolve("bin/onsembl-agent");
  }

  /**
   * Starts the packaged launcher with {@code args} in {@code dir}, with {@code env} added to this
   * JVM's environment.
   */
  public static RunningProcess start(
      String name, Map<String, String> env, Path dir, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(launcher().toString());
    cmd.addAll(List.of(args));
    return RunningProcess.start(name, cmd, env, dir);
  }

  public static Path mockAgent() {
    return home().resolve("bin/onsembl-mock-agent");
  }
}
