package ai.onsembl.protocol;

/**
 * AGENT_CONTROL: STOP, RESTART, PAUSE or RESUME. {@code agentId} only from dashboards; {@code
 * timeout} ms.
 */
public record AgentControl(
    String agentId,
    EnumValue<ControlAction> action,
    String reason,
    Boolean gracefulShutdown,
    Long timeout)
    implements Payload {
  @Override
  public MessageType type() {
    return MessageType.AGENT_CONTROL;
  }
}
