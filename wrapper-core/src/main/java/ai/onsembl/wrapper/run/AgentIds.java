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
            w.write(text(ids));
          }
        }
        return id;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot keep agent ids in " + stateDir + ": " + e.getMessage(), e);
    }
  }

  /**
   * The file's text: what {@link Properties#store(Writer, String)} writes, without the date line it
   * adds after the comment. That line's {@code Date.toString()} (the time zone's display name)
   * loads the JDK's locale data, ~140 classes for the rest of the wrapper's life, on the first
   * start of every agent name.
   */
  static String text(Properties ids) {
    String nl = System.lineSeparator();
    StringBuilder out =
        new StringBuilder("#onsembl-agent: stable agent id per agent name").append(nl);
    for (String name : ids.stringPropertyNames()) {
      escape(out, name, true);
      out.append('=');
      escape(out, ids.getProperty(name), false);
      out.append(nl);
    }
    return out.toString();
  }

  /** {@code Properties.saveConvert} for a {@link Writer} (no Unicode escapes). */
  private static void escape(StringBuilder out, String s, boolean escapeSpace) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c > 61 && c < 127) {
        out.append(c == '\\' ? "\\\\" : String.valueOf(c));
        continue;
      }
      switch (c) {
        case ' ':
          if (i == 0 || escapeSpace) {
            out.append('\\');
          }
          out.append(' ');
          break;
        case '\t':
          out.append("\\t");
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\r':
          out.append("\\r");
          break;
        case '\f':
          out.append("\\f");
          break;
        case '=':
        case ':':
        case '#':
        case '!':
          out.append('\\').append(c);
          break;
        default:
          out.append(c);
      }
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
