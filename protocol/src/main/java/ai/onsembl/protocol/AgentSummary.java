package ai.onsembl.protocol;

/**
 * One agent in a DASHBOARD_CONNECTED snapshot. {@code lastHeartbeat} and {@code lastSeen} are epoch
 * ms.
 */
public record AgentSummary(
    String agentId,
    String name,
    EnumValue<AgentType> type,
    EnumValue<AgentStatus> status,
    EnumValue<ActivityState> activityState,
    String version,
    String hostMachine,
    Capabilities capabilities,
    HealthMetrics healthMetrics,
    Long lastHeartbeat,
    Long lastSeen,
    String disconnectReason) {}
