package ai.onsembl.backend;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Frames captured between the TypeScript wrapper and backend (/work/shared/protocol-fixtures). */
final class Fixtures {
  private static final Path DIR = locate();

  private Fixtures() {}

  static String upstream(String name) {
    try {
      return Files.readString(DIR.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException("fixture " + name + " not found in " + DIR, e);
    }
  }

  private static Path locate() {
    Path local = Path.of("src/test/resources/upstream-observed");
    return Files.isDirectory(local) ? local : Path.of("/work/shared/protocol-fixtures/upstream-observed");
  }
}
