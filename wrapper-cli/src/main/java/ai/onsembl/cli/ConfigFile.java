package ai.onsembl.cli;

import ai.onsembl.wrapper.AgentExitException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * {@code config.json}: a flat JSON object, one key per start setting (durations as "5s"-style strings or
 * numbers of milliseconds). Unknown keys are an error (exit 2), so a typo never silently does nothing.
 */
final class ConfigFile {
  static final List<String> KEYS = List.of("server", "agent", "name", "agentId", "tokenFile", "heartbeatInterval",
      "childGrace", "flushTimeout", "shutdownTimeout", "giveUpAfter", "exitZeroOnSignal", "workingDir", "logLevel",
      "mode", "execTemplate", "concurrency", "command");
  private static final Set<String> KNOWN = Set.copyOf(KEYS);

  private final JsonNode root;
  private final Path path;

  private ConfigFile(Path path, JsonNode root) {
    this.path = path;
    this.root = root;
  }

  static ConfigFile empty() {
    return new ConfigFile(null, null);
  }

  /** Reads {@code path}; a missing file is empty unless {@code required} (given with --config). */
  static ConfigFile read(Path path, boolean required) {
    if (!Files.exists(path)) {
      if (required) {
        throw AgentExitException.invalidInput("--config: " + path + " does not exist");
      }
      return empty();
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(Files.readAllBytes(path));
    } catch (IOException e) {
      throw AgentExitException.invalidInput("config file " + path + " is not valid JSON: "
          + e.getMessage().replace('\n', ' '));
    }
    if (root == null || !root.isObject()) {
      throw AgentExitException.invalidInput("config file " + path + ": expected a JSON object");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!KNOWN.contains(k)) {
        throw AgentExitException.invalidInput("config file " + path + ": unknown key '" + k + "'; known keys: "
            + String.join(", ", KEYS));
      }
    }
    return new ConfigFile(path, root);
  }

  /** The value of {@code key} as text (numbers and booleans too), or null. */
  String text(String key) {
    if (root == null) {
      return null;
    }
    JsonNode n = root.get(key);
    if (n == null || n.isNull()) {
      return null;
    }
    if (n.isNumber() && isDurationKey(key)) {
      return n.asLong() + "ms";
    }
    if (n.isContainerNode()) {
      throw AgentExitException.invalidInput("config file " + path + ": '" + key + "' must be a string, number or boolean");
    }
    return n.asText();
  }

  /** {@code command} as a list of strings, or null. */
  List<String> list(String key) {
    if (root == null || root.get(key) == null || root.get(key).isNull()) {
      return null;
    }
    JsonNode n = root.get(key);
    if (!n.isArray()) {
      throw AgentExitException.invalidInput("config file " + path + ": '" + key + "' must be an array of strings");
    }
    java.util.ArrayList<String> out = new java.util.ArrayList<>();
    n.forEach(e -> out.add(e.asText()));
    return out;
  }

  private static boolean isDurationKey(String key) {
    return key.endsWith("Interval") || key.endsWith("Grace") || key.endsWith("Timeout") || key.equals("giveUpAfter");
  }
}
