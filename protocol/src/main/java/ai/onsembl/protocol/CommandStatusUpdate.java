package ai.onsembl.protocol;

/** COMMAND_STATUS: a command's status changed (server to dashboards). */
public record CommandStatusUpdate(
    String commandId,
    String agentId,
    EnumValue<CommandStatus> status,
    String error,
    Double progress)
    implements Payload {
  @Override
  public MessageType type() {
    return MessageType.COMMAND_STATUS;
  }
}
