package ai.onsembl.bench;

import java.util.concurrent.atomic.AtomicLong;

/** Hand-built protocol frames (docs/PROTOCOL.md), cheap enough for 10,000 simulated agents. */
final class Frames {
  private static final AtomicLong IDS = new AtomicLong();

  private Frames() {}

  private static String envelope(String type, long timestamp, String payload) {
    return "{\"type\":\""
        + type
        + "\",\"id\":\"b-"
        + IDS.incrementAndGet()
        + "\",\"timestamp\":"
        + timestamp
        + ",\"payload\":"
        + payload
        + "}";
  }

  static String agentConnect(String agentId) {
    return envelope(
        "AGENT_CONNECT",
        System.currentTimeMillis(),
        "{\"agentId\":\""
            + agentId
            + "\",\"name\":\""
            + agentId
            + "\",\"agentType\":\"CUSTOM\",\"version\":\"bench\",\"hostMachine\":\"bench\","
            + "\"capabilities\":{\"maxTokens\":0,\"supportsInterrupt\":true,\"supportsTrace\":false}}");
  }

  /** Stamped now: the backend's heartbeat-lag histogram measures from this timestamp. */
  static String heartbeat(String agentId) {
    return envelope(
        "AGENT_HEARTBEAT",
        System.currentTimeMillis(),
        "{\"agentId\":\""
            + agentId
            + "\",\"healthMetrics\":{\"cpuUsage\":1.5,\"memoryUsage\":40.0,\"uptime\":1000,\"commandsProcessed\":0,"
            + "\"averageResponseTime\":0}}");
  }

  static String disconnect(String agentId) {
    long now = System.currentTimeMillis();
    return envelope(
        "AGENT_DISCONNECT",
        now,
        "{\"agentId\":\""
            + agentId
            + "\",\"reason\":\"bench done\","
            + "\"timestamp\":"
            + now
            + ",\"graceful\":true}");
  }

  static String pong(long pingTimestamp) {
    return envelope("PONG", System.currentTimeMillis(), "{\"timestamp\":" + pingTimestamp + "}");
  }

  static String dashboardInit() {
    return envelope(
        "DASHBOARD_INIT",
        System.currentTimeMillis(),
        "{\"subscriptions\":{\"agents\":[\"*\"],\"commands\":[\"*\"],\"terminals\":true,\"traces\":false}}");
  }

  /**
   * The type of a frame without parsing all of it (the envelope's "type" comes first from our
   * backend).
   */
  static String type(CharSequence json) {
    String s = json.length() > 200 ? json.subSequence(0, 200).toString() : json.toString();
    int i = s.indexOf("\"type\":\"");
    if (i < 0) {
      return "";
    }
    int start = i + 8;
    int end = s.indexOf('"', start);
    return end < 0 ? "" : s.substring(start, end);
  }

  /** payload.timestamp of a PING: the last number in the frame. */
  static long pingTimestamp(String json) {
    int i = json.lastIndexOf("\"timestamp\":");
    if (i < 0) {
      return 0;
    }
    int start = i + 12;
    int end = start;
    while (end < json.length() && Character.isDigit(json.charAt(end))) {
      end++;
    }
    return end > start ? Long.parseLong(json.substring(start, end)) : 0;
  }
}
