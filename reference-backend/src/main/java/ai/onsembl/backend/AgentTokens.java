package ai.onsembl.backend;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The agent tokens file ({@code onsembl-agent backend --agent-tokens FILE}): one token per line
 * followed by the agent ids it may connect as, separated by spaces; {@code *} allows any id. Blank
 * lines and lines starting with {@code #} are ignored.
 *
 * <pre>
 * # token                           agent ids
 * 9f2c...e1                         build-1
 * 41aa...07                         ci-1 ci-2
 * </pre>
 */
public final class AgentTokens {
  private AgentTokens() {}

  /**
   * Reads {@code file}; a malformed line fails with its number and what was expected (never the
   * token).
   */
  public static Map<String, Set<String>> read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read the agent tokens file " + file + ": " + e.getMessage(), e);
    }
    return parse(lines, file.toString());
  }

  static Map<String, Set<String>> parse(List<String> lines, String name) {
    Map<String, Set<String>> tokens = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] fields = line.split("\\s+");
      String where = name + " line " + (i + 1);
      if (fields.length < 2) {
        throw new IllegalArgumentException(
            where
                + ": expected TOKEN AGENT_ID [AGENT_ID...] (or * for any id)"
                + " but found a token without agent ids");
      }
      Set<String> ids = new LinkedHashSet<>(List.of(fields).subList(1, fields.length));
      if (tokens.put(fields[0], ids) != null) {
        throw new IllegalArgumentException(
            where
                + ": this token is already listed on an earlier line;"
                + " expected each token once (list all its agent ids on one line)");
      }
    }
    if (tokens.isEmpty()) {
      throw new IllegalArgumentException(
          name + ": expected at least one line TOKEN AGENT_ID [AGENT_ID...]" + " but found none");
    }
    return tokens;
  }
}
