package ai.onsembl.wrapper.run;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayOutputStream;
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
 * The PID/status files of running wrappers: {@code <stateDir>/run/<agentId>.json}, one per wrapper,
 * written atomically on every state change and deleted on a clean exit. A file whose wrapper
 * process is gone is <em>stale</em>: a wrapper killed with SIGKILL leaves one, and the next start
 * with the same agent id reaps the child tree it records.
 */
public final class RunFiles {
  /**
   * Run files are read and written with jackson-core alone: a starting wrapper loads no
   * jackson-databind.
   */
  private static final JsonFactory JSON = new JsonFactory();

  /** For {@code status --json} only (any value), created on first use. */
  private static final class Mapper {
    static final ObjectMapper INSTANCE =
        JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
  }

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
      Files.write(tmp, bytes(r));
      try {
        Files.move(
            tmp,
            file(r.agentId()),
            StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
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
      return Optional.of(parse(Files.readAllBytes(f)));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * The record as indented JSON, its fields in declaration order (what {@code status --json} shows
   * too).
   */
  static byte[] bytes(RunRecord r) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator g = JSON.createGenerator(out).useDefaultPrettyPrinter()) {
      g.writeStartObject();
      g.writeStringField("agentId", r.agentId());
      g.writeStringField("backendAgentId", r.backendAgentId());
      g.writeStringField("name", r.name());
      g.writeNumberField("pid", r.pid());
      g.writeNumberField("pidStartedAtMillis", r.pidStartedAtMillis());
      g.writeStringField("backendUrl", r.backendUrl());
      g.writeStringField("state", r.state());
      g.writeNumberField("startedAtMillis", r.startedAtMillis());
      g.writeNumberField("childPid", r.childPid());
      g.writeNumberField("childPgid", r.childPgid());
      g.writeNumberField("childStartedAtMillis", r.childStartedAtMillis());
      g.writeNumberField("updatedAtMillis", r.updatedAtMillis());
      g.writeEndObject();
    }
    return out.toByteArray();
  }

  /** Reads a run file; unknown fields are skipped, absent ones are null or 0. */
  static RunRecord parse(byte[] json) throws IOException {
    String agentId = null;
    String backendAgentId = null;
    String name = null;
    String backendUrl = null;
    String state = null;
    long pid = 0;
    long pidStartedAtMillis = 0;
    long startedAtMillis = 0;
    long childPid = 0;
    long childPgid = 0;
    long childStartedAtMillis = 0;
    long updatedAtMillis = 0;
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("expected a JSON object");
      }
      for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
        JsonToken t = p.nextToken();
        switch (field) {
          case "agentId" -> agentId = text(p, t);
          case "backendAgentId" -> backendAgentId = text(p, t);
          case "name" -> name = text(p, t);
          case "backendUrl" -> backendUrl = text(p, t);
          case "state" -> state = text(p, t);
          case "pid" -> pid = number(p, t);
          case "pidStartedAtMillis" -> pidStartedAtMillis = number(p, t);
          case "startedAtMillis" -> startedAtMillis = number(p, t);
          case "childPid" -> childPid = number(p, t);
          case "childPgid" -> childPgid = number(p, t);
          case "childStartedAtMillis" -> childStartedAtMillis = number(p, t);
          case "updatedAtMillis" -> updatedAtMillis = number(p, t);
          default -> p.skipChildren();
        }
      }
    }
    return new RunRecord(
        agentId,
        backendAgentId,
        name,
        pid,
        pidStartedAtMillis,
        backendUrl,
        state,
        startedAtMillis,
        childPid,
        childPgid,
        childStartedAtMillis,
        updatedAtMillis);
  }

  private static String text(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t != JsonToken.VALUE_STRING) {
      throw new IOException(p.currentName() + ": expected a string but got " + t);
    }
    return p.getText();
  }

  private static long number(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT) {
      throw new IOException(p.currentName() + ": expected an integer but got " + t);
    }
    return p.getLongValue();
  }

  /** Any value as indented JSON text (for {@code status --json}). */
  public static String toJson(Object value) {
    try {
      return Mapper.INSTANCE.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String safe(String agentId) {
    return agentId.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
