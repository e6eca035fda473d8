package ai.onsembl.backend;

import ai.onsembl.protocol.AgentStatus;

/**
 * One agent as the backend knows it (store plus live registry). Times are epoch milliseconds.
 *
 * @param agentId the agent's id
 * @param name display name, or null
 * @param agentType CLAUDE, GEMINI, CODEX, CUSTOM, or what the agent sent
 * @param version the wrapper's version
 * @param hostMachine the host it runs on
 * @param status ONLINE or OFFLINE
 * @param connectedAt when the current (or last) connection was accepted
 * @param lastSeen the last sign of life (any frame), or the moment it went OFFLINE
 * @param disconnectReason why it went OFFLINE last, or null while it never did
 * @param connectionEpoch the epoch of the connection that last wrote the status
 */
public record AgentState(
    String agentId,
    String name,
    String agentType,
    String version,
    String hostMachine,
    AgentStatus status,
    Long connectedAt,
    Long lastSeen,
    String disconnectReason,
    long connectionEpoch) {

  /** A copy with a fresher {@code lastSeen}. */
  public AgentState withLastSeen(Long v) {
    return new AgentState(
        agentId,
        name,
        agentType,
        version,
        hostMachine,
        status,
        connectedAt,
        v,
        disconnectReason,
        connectionEpoch);
  }
}
