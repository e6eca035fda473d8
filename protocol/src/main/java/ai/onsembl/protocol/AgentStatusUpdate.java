package ai.onsembl.protocol;

/**
 * AGENT_STATUS: an agent's status changed (ours sends it on every change). The TypeScript backend
 * sends lower-case statuses and {@code queuedCommands}/{@code lastPing}; both are kept.
 */
public record AgentStatusUpdate(
    String agentId,
    EnumValue<AgentStatus> status,
    EnumValue<ActivityState> activityState,
    HealthMetrics healthMetrics,
    Long lastHeartbeat,
    Long lastSeen,
    String reason,
    Integer queuedCommands,
    Long lastPing)
    implements Payload {
  @Override
  public MessageType type() {
    return MessageType.AGENT_STATUS;
  }
}
