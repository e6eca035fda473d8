package ai.onsembl.protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Locates the fixture folders: the TypeScript captures in ../shared and ours in test resources. */
final class Fixtures {
  private Fixtures() {}

  /** ../shared/protocol-fixtures/upstream-observed, found by walking up from the working directory. */
  static Path upstreamDir() {
    String override = System.getProperty("onsembl.upstreamFixtures");
    if (override != null) {
      return Paths.get(override);
    }
    Path dir = Paths.get("").toAbsolutePath();
    while (dir != null) {
      Path candidate = dir.resolve("shared/protocol-fixtures/upstream-observed");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException("shared/protocol-fixtures/upstream-observed not found above "
        + Paths.get("").toAbsolutePath() + " (set -Donsembl.upstreamFixtures=PATH)");
  }

  static Path ownDir() {
    return resourceDir("/fixtures");
  }

  /** Frames of the Onsembl web frontend's own client (see its README). */
  static Path frontendDir() {
    return resourceDir("/upstream-frontend");
  }

  private static Path resourceDir(String name) {
    try {
      return Paths.get(Fixtures.class.getResource(name).toURI());
    } catch (Exception e) {
      throw new IllegalStateException("test resources " + name + " missing", e);
    }
  }

  static List<Path> list(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".json")).sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
