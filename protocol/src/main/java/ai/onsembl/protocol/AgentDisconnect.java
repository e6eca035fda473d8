package ai.onsembl.protocol;

/**
 * AGENT_DISCONNECT. From an agent: its goodbye, the last frame before the close ({@code exitCode},
 * {@code graceful}). From the server to dashboards: an agent went away, whatever the cause.
 */
public record AgentDisconnect(
    String agentId, String reason, Long timestamp, Integer exitCode, Boolean graceful)
    implements Payload {
  @Override
  public MessageType type() {
    return MessageType.AGENT_DISCONNECT;
  }
}
