package ai.onsembl.protocol;

/**
 * COMMAND_ACK: RECEIVED or QUEUED (with {@code queuePosition}) on arrival, EXECUTING when it
 * starts.
 */
public record CommandAck(
    String commandId, String agentId, EnumValue<CommandStatus> status, Integer queuePosition)
    implements Payload {
  @Override
  public MessageType type() {
    return MessageType.COMMAND_ACK;
  }
}
