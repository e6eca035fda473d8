package ai.onsembl.wrapper.internal.child;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * pty4j's native library, copied once into a folder of the state directory instead of a new temp
 * directory per run (pty4j's default, never deleted after a halt): then {@code
 * pty4j.preferred.native.folder} points at it. Anything unexpected leaves pty4j's default in place.
 */
final class PtyNatives {
  private static final String PROPERTY = "pty4j.preferred.native.folder";
  private static final List<String> FILES =
      List.of("libpty.so", "libpty.dylib", "pty4j-unix-spawn-helper");

  private PtyNatives() {}

  static synchronized void useFolder(Path folder) {
    if (System.getProperty(PROPERTY) != null) {
      return;
    }
    try {
      java.lang.reflect.Method m =
          Class.forName("com.pty4j.util.PtyUtil")
              .getDeclaredMethod("getNativeLibraryOsArchSubPath");
      m.setAccessible(true);
      String sub = (String) m.invoke(null);
      Path dir = folder.resolve(sub);
      int copied = 0;
      for (String name : FILES) {
        try (InputStream in =
            PtyNatives.class.getResourceAsStream(
                "/resources/com/pty4j/native/" + sub + "/" + name)) {
          if (in == null) {
            continue;
          }
          byte[] bytes = in.readAllBytes();
          Path target = dir.resolve(name);
          if (!Files.isRegularFile(target) || Files.size(target) != bytes.length) {
            Files.createDirectories(dir);
            // Another wrapper may be starting at the same time: write aside, then move into place.
            Path tmp = Files.createTempFile(dir, name, ".part");
            Files.write(tmp, bytes);
            Files.move(
                tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
          }
          if (name.endsWith("helper")) {
            target.toFile().setExecutable(true, true);
          }
          copied++;
        }
      }
      if (copied > 0) {
        System.setProperty(PROPERTY, folder.toAbsolutePath().toString());
      }
    } catch (ReflectiveOperationException | IOException | RuntimeException e) {
      // pty4j extracts to a temp directory by itself
    }
  }
}
