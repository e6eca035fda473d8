package ai.onsembl.protocol;

/** AGENT_CONNECT: the first frame of every (re)connect. */
public record AgentConnect(
    String agentId,
    String name,
    EnumValue<AgentType> agentType,
    String version,
    String hostMachine,
    Capabilities capabilities)
    implements Payload {
  @Override
  public MessageType type() {
    return MessageType.AGENT_CONNECT;
  }
}
