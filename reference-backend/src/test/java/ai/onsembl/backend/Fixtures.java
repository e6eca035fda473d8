package ai.onsembl.backend;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Frames captured between the TypeScript wrapper and backend (/work/shared/protocol-fixtures). */
final class Fixtures {
  private Fixtures() {}

  /** A captured frame; the build puts ../shared/protocol-fixtures/upstream-observed on the test classpath. */
  static String upstream(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/upstream-observed/" + name)) {
      if (in == null) {
        throw new IllegalStateException("expected fixture /upstream-observed/" + name
            + " on the test classpath (copied from ../shared/protocol-fixtures at build time) but it is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
