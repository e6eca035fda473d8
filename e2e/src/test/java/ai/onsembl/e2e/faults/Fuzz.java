package ai.onsembl.e2e.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Random;

/**
 * Seeded mutations of valid protocol frames (always valid UTF-8: invalid UTF-8 has its own test):
 * truncation, character swaps, deleted and duplicated ranges, values of the wrong JSON type,
 * unknown types, garbage, and frames left intact.
 */
final class Fuzz {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] SWAPS = {
    "null",
    "true",
    "-1",
    "1e309",
    "\"\"",
    "[]",
    "{}",
    "\"\\u0000\"",
    "9223372036854775808",
    "[1,[2,{\"a\":null}]]",
    "\"" + "x".repeat(300) + "\""
  };
  private static final String PUNCT = "{}[]\":,\\ 0123456789abcxyzTRUEnul.-e\n\t";
  private final Random random;

  Fuzz(long seed) {
    this.random = new Random(seed);
  }

  static List<String> agentTemplates(String agentId) {
    long now = System.currentTimeMillis();
    String env = "\"timestamp\":" + now + ",\"payload\":";
    return List.of(
        "{\"type\":\"AGENT_HEARTBEAT\",\"id\":\"h1\","
            + env
            + "{\"agentId\":\""
            + agentId
            + "\",\"healthMetrics\":"
            + "{\"cpuUsage\":1.5,\"memoryUsage\":100,\"uptime\":5,\"commandsProcessed\":0,\"averageResponseTime\":0}}}",
        "{\"type\":\"TERMINAL_OUTPUT\",\"id\":\"t1\","
            + env
            + "{\"commandId\":\"c-fuzz\",\"agentId\":\""
            + agentId
            + "\",\"streamType\":\"STDOUT\",\"content\":\"hello\\n\",\"sequence\":1}}",
        "{\"type\":\"COMMAND_ACK\",\"id\":\"a1\","
            + env
            + "{\"commandId\":\"c-fuzz\",\"agentId\":\""
            + agentId
            + "\",\"status\":\"EXECUTING\"}}",
        "{\"type\":\"COMMAND_COMPLETE\",\"id\":\"d1\","
            + env
            + "{\"commandId\":\"c-fuzz\",\"agentId\":\""
            + agentId
            + "\",\"status\":\"COMPLETED\",\"executionTime\":5,\"tokensUsed\":0,\"exitCode\":0}}",
        "{\"type\":\"AGENT_ERROR\",\"id\":\"e1\","
            + env
            + "{\"agentId\":\""
            + agentId
            + "\",\"errorType\":\"EXECUTION\",\"message\":\"m\",\"recoverable\":true}}",
        "{\"type\":\"PONG\",\"id\":\"p1\"," + env + "{\"timestamp\":" + now + "}}",
        "{\"type\":\"NOT_A_TYPE\",\"id\":\"u1\"," + env + "{}}");
  }

  static List<String> dashboardTemplates() {
    long now = System.currentTimeMillis();
    String env = "\"timestamp\":" + now + ",\"payload\":";
    return List.of(
        "{\"type\":\"DASHBOARD_INIT\",\"id\":\"i1\","
            + env
            + "{\"subscriptions\":{\"agents\":[\"*\"],\"terminals\":true}}}",
        "{\"type\":\"DASHBOARD_SUBSCRIBE\",\"id\":\"s1\"," + env + "{\"agents\":[\"nobody\"]}}",
        "{\"type\":\"COMMAND_REQUEST\",\"id\":\"r1\","
            + env
            + "{\"agentId\":\"no-such-agent\",\"content\":\"echo\"}}",
        "{\"type\":\"COMMAND_CANCEL\",\"id\":\"x1\","
            + env
            + "{\"commandId\":\"no-such-command\",\"reason\":\"r\"}}",
        "{\"type\":\"AGENT_CONTROL\",\"id\":\"k1\","
            + env
            + "{\"agentId\":\"no-such-agent\",\"action\":\"STOP\"}}",
        "{\"type\":\"PONG\",\"id\":\"p1\"," + env + "{\"timestamp\":" + now + "}}",
        "{\"type\":\"NOT_A_TYPE\",\"id\":\"u1\"," + env + "{}}");
  }

  /** One mutation of a random template. */
  String next(List<String> templates) {
    String t = templates.get(random.nextInt(templates.size()));
    int n = t.length();
    switch (random.nextInt(10)) {
      case 0:
        return t;
      case 1:
        return t.substring(0, random.nextInt(n));
      case 2:
        {
          StringBuilder b = new StringBuilder(t);
          for (int i = 0, k = 1 + random.nextInt(4); i < k; i++) {
            b.setCharAt(random.nextInt(b.length()), randomChar());
          }
          return b.toString();
        }
      case 3:
        {
          int a = random.nextInt(n);
          int z = Math.min(n, a + 1 + random.nextInt(20));
          return t.substring(0, a) + t.substring(z);
        }
      case 4:
        {
          int a = random.nextInt(n);
          int z = Math.min(n, a + 1 + random.nextInt(30));
          return t.substring(0, z) + t.substring(a);
        }
      case 5:
        return t.replaceFirst(
            "(\"[a-zA-Z]+\":)(\"[^\"]*\"|-?[0-9.]+|true|false)",
            "$1" + java.util.regex.Matcher.quoteReplacement(SWAPS[random.nextInt(SWAPS.length)]));
      case 6:
        {
          StringBuilder b = new StringBuilder();
          for (int i = 0, k = random.nextInt(200); i < k; i++) {
            b.append(randomChar());
          }
          return b.toString();
        }
      case 7:
        {
          int a = random.nextInt(n);
          return t.substring(0, a) + SWAPS[random.nextInt(SWAPS.length)] + t.substring(a);
        }
      case 8:
        return t.replaceFirst(
            "\"type\":\"[A-Z_]+\"", "\"type\":\"" + (char) ('A' + random.nextInt(26)) + "_FUZZ\"");
      default:
        return List.of("", " ", "null", "[]", "123", "\"str\"", "{}", "{\"type\":null}")
            .get(random.nextInt(8));
    }
  }

  private char randomChar() {
    if (random.nextInt(4) == 0) {
      // any BMP char but the surrogates (a lone surrogate would not encode as UTF-8)
      char c;
      do {
        c = (char) random.nextInt(0x10000);
      } while (Character.isSurrogate(c));
      return c;
    }
    return PUNCT.charAt(random.nextInt(PUNCT.length()));
  }

  /**
   * True when {@code text} is not a JSON object at all: the receiver can only answer
   * INVALID_MESSAGE.
   */
  static boolean notAJsonObject(String text) {
    try {
      JsonNode n = JSON.readTree(text);
      return n == null || !n.isObject();
    } catch (Exception e) {
      return true;
    }
  }
}
