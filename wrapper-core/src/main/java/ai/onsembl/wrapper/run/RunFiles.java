package ai.onsembl.wrapper.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The PID/status files of running wrappers: {@code <stateDir>/run/<agentId>.json}, one per wrapper, written
 * atomically on every state change and deleted on a clean exit. A file whose wrapper process is gone is
 * <em>stale</em>: a wrapper killed with SIGKILL leaves one, and the next start with the same agent id reaps
 * the child tree it records.
 */
public final class RunFiles {
  private static final ObjectMapper JSON = JsonMapper.builder()
      .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .build();

  /** A record read from disk and whether its wrapper still runs. */
  public record Entry(RunRecord record, boolean alive, Path file) {}

  private final Path dir;

  public RunFiles(Path stateDir) {
    this.dir = stateDir.resolve("run");
  }

  public Path dir() {
    return dir;
  }

  public Path file(String agentId) {
    return dir.resolve(safe(agentId) + ".json");
  }

  public void write(RunRecord r) {
    try {
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, ".tmp-", ".json");
      Files.write(tmp, JSON.writeValueAsBytes(r));
      try {
        Files.move(tmp, file(r.agentId()), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file(r.agentId()), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write run file in " + dir + ": " + e.getMessage(), e);
    }
  }

  public Optional<RunRecord> read(String agentId) {
    return readFile(file(agentId));
  }

  public void delete(String agentId) {
    try {
      Files.deleteIfExists(file(agentId));
    } catch (IOException e) {
      // best effort: a leftover file is reported as stale
    }
  }

  /** Every run file, sorted by agent id, each marked alive or stale. */
  public List<Entry> list() {
    List<Entry> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
      for (Path f : files) {
        if (f.getFileName().toString().startsWith(".")) {
          continue;
        }
        readFile(f).ifPresent(r -> out.add(new Entry(r, r.wrapperAlive(), f)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    out.sort(Comparator.comparing(e -> e.record().agentId()));
    return out;
  }

  private static Optional<RunRecord> readFile(Path f) {
    try {
      return Optional.of(JSON.readValue(Files.readAllBytes(f), RunRecord.class));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The record as JSON text (for {@code status --json}). */
  public static String toJson(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String safe(String agentId) {
    return agentId.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
