package ai.onsembl.cli;

import ai.onsembl.wrapper.AgentExitException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code config.json}: a flat JSON object, one key per start setting (durations as "5s"-style
 * strings or numbers of milliseconds). Unknown keys are an error (exit 2), so a typo never silently
 * does nothing. Read with jackson-core alone (a starting wrapper loads no jackson-databind); values
 * read as databind's {@code asText()} renders them.
 */
final class ConfigFile {
  static final List<String> KEYS =
      List.of(
          "server",
          "agent",
          "name",
          "agentId",
          "tokenFile",
          "heartbeatInterval",
          "childGrace",
          "flushTimeout",
          "shutdownTimeout",
          "giveUpAfter",
          "exitZeroOnSignal",
          "workingDir",
          "logLevel",
          "mode",
          "execTemplate",
          "concurrency",
          "command");
  private static final Set<String> KNOWN = Set.copyOf(KEYS);

  private static final JsonFactory JSON = new JsonFactory();

  /** An object value: only its being a container matters. */
  private static final Object OBJECT = new Object();

  /**
   * Key to value: String, Integer, Long, BigInteger, Double, Boolean, null, {@link #OBJECT} or a
   * List of them.
   */
  private final Map<String, Object> root;

  private final Path path;

  private ConfigFile(Path path, Map<String, Object> root) {
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
    Map<String, Object> root;
    try (JsonParser p = JSON.createParser(Files.readAllBytes(path))) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw AgentExitException.invalidInput("config file " + path + ": expected a JSON object");
      }
      root = new LinkedHashMap<>();
      for (String k = p.nextFieldName(); k != null; k = p.nextFieldName()) {
        if (!KNOWN.contains(k)) {
          throw AgentExitException.invalidInput(
              "config file "
                  + path
                  + ": unknown key '"
                  + k
                  + "'; known keys: "
                  + String.join(", ", KEYS));
        }
        root.put(k, value(p, p.nextToken()));
      }
    } catch (IOException e) {
      throw AgentExitException.invalidInput(
          "config file " + path + " is not valid JSON: " + e.getMessage().replace('\n', ' '));
    }
    return new ConfigFile(path, root);
  }

  private static Object value(JsonParser p, JsonToken t) throws IOException {
    switch (t) {
      case START_OBJECT:
        p.skipChildren();
        return OBJECT;
      case START_ARRAY:
        {
          List<Object> out = new ArrayList<>();
          for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
            out.add(value(p, e));
          }
          return out;
        }
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        switch (p.getNumberType()) {
          case INT:
            return p.getIntValue();
          case LONG:
            return p.getLongValue();
          default:
            return p.getBigIntegerValue();
        }
      case VALUE_NUMBER_FLOAT:
        return p.getDoubleValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      default:
        return null;
    }
  }

  /** A scalar as databind's {@code asText()} writes it; "" for a container, "null" for null. */
  private static String asText(Object v) {
    if (v == null) {
      return "null";
    }
    if (v == OBJECT || v instanceof List) {
      return "";
    }
    return v.toString();
  }

  /** The value of {@code key} as text (numbers and booleans too), or null. */
  String text(String key) {
    if (root == null) {
      return null;
    }
    Object n = root.get(key);
    if (n == null) {
      return null;
    }
    if (n instanceof Number num && isDurationKey(key)) {
      // as databind's asLong(): a fraction is cut, a big integer keeps its low 64 bits
      return num.longValue() + "ms";
    }
    if (n == OBJECT || n instanceof List) {
      throw AgentExitException.invalidInput(
          "config file " + path + ": '" + key + "' must be a string, number or boolean");
    }
    return asText(n);
  }

  /** {@code command} as a list of strings, or null. */
  List<String> list(String key) {
    if (root == null || root.get(key) == null) {
      return null;
    }
    Object n = root.get(key);
    if (!(n instanceof List<?> l)) {
      throw AgentExitException.invalidInput(
          "config file " + path + ": '" + key + "' must be an array of strings");
    }
    List<String> out = new ArrayList<>();
    l.forEach(e -> out.add(asText(e)));
    return out;
  }

  private static boolean isDurationKey(String key) {
    return key.endsWith("Interval")
        || key.endsWith("Grace")
        || key.endsWith("Timeout")
        || key.equals("giveUpAfter");
  }
}
