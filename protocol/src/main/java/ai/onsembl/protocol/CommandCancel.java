package ai.onsembl.protocol;

/** COMMAND_CANCEL: stop that command's process tree. {@code agentId} only from dashboards. */
public record CommandCancel(String agentId, String commandId, String reason, Boolean force)
    implements Payload {
  @Override
  public MessageType type() {
    return MessageType.COMMAND_CANCEL;
  }
}
