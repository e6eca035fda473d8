package ai.onsembl.wrapper.run;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;

/**
 * Stable agent ids, one per agent name, kept in {@code <stateDir>/agent-ids.properties} so a
 * restarted wrapper announces the same id (and the backend shows one agent, not a new one per
 * start). Safe between processes (a file lock around read-modify-write).
 */
public final class AgentIds {
  private final Path stateDir;

  public AgentIds(Path stateDir) {
    this.stateDir = stateDir;
  }

  /** The id kept for {@code name}, created on first use as {@code <name>-<8 hex>}. */
  public String forName(String name) {
    try {
      Files.createDirectories(stateDir);
      Path file = stateDir.resolve("agent-ids.properties");
      try (FileChannel lockChannel =
              FileChannel.open(
                  stateDir.resolve(".agent-ids.lock"),
                  StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE);
          FileLock lock = lockChannel.lock()) {
        Properties ids = new Properties();
        if (Files.exists(file)) {
          try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            ids.load(r);
          }
        }
        String id = ids.getProperty(name);
        if (id == null || id.isBlank()) {
          id = slug(name) + "-" + UUID.randomUUID().toString().substring(0, 8);
          ids.setProperty(name, id);
          try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            ids.store(w, "onsembl-agent: stable agent id per agent name");
          }
        }
        return id;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot keep agent ids in " + stateDir + ": " + e.getMessage(), e);
    }
  }

  static String slug(String name) {
    String s =
        name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    if (s.isEmpty()) {
      s = "agent";
    }
    return s.length() > 40 ? s.substring(0, 40) : s;
  }
}
