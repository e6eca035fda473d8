package ai.onsembl.protocol;

/** AGENT_HEARTBEAT: sent every heartbeat interval with real metrics of the child's process tree. */
public record AgentHeartbeat(String agentId, HealthMetrics healthMetrics) implements Payload {
  @Override
  public MessageType type() {
    return MessageType.AGENT_HEARTBEAT;
  }
}
