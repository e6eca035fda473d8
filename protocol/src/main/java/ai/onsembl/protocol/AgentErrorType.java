package ai.onsembl.protocol;

/** The class of an AGENT_ERROR (UNKNOWN is also a wire value). */
public enum AgentErrorType {
  CONNECTION,
  EXECUTION,
  RESOURCE,
  UNKNOWN
}
