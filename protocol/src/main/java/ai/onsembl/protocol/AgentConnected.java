package ai.onsembl.protocol;

/** AGENT_CONNECTED: an agent came online (server to dashboards). */
public record AgentConnected(
    String agentId,
    String agentName,
    EnumValue<AgentType> agentType,
    String version,
    String hostMachine,
    Capabilities capabilities,
    Long timestamp)
    implements Payload {
  @Override
  public MessageType type() {
    return MessageType.AGENT_CONNECTED;
  }
}
