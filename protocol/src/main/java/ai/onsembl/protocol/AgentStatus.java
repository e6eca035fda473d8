package ai.onsembl.protocol;

/** An agent's connection status as dashboards see it. */
public enum AgentStatus {
  ONLINE,
  OFFLINE,
  CONNECTING,
  ERROR,
  UNKNOWN
}
