package ai.onsembl.protocol;

/**
 * ACK: {@code messageId} is the acknowledged frame's id; after AGENT_CONNECT it carries the agent
 * id to adopt.
 */
public record Ack(
    String messageId,
    Boolean success,
    String agentId,
    String connectionId,
    Boolean authenticated,
    Subscriptions subscriptions)
    implements Payload {

  public static Ack of(String messageId) {
    return new Ack(messageId, true, null, null, null, null);
  }

  @Override
  public MessageType type() {
    return MessageType.ACK;
  }
}
