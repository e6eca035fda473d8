package ai.onsembl.protocol;

/** COMMAND_COMPLETE: the end of a command, COMPLETED, FAILED or CANCELLED. */
public record CommandComplete(
    String commandId,
    String agentId,
    EnumValue<CommandStatus> status,
    String error,
    Long executionTime,
    Long tokensUsed,
    Integer exitCode,
    OutputStats outputStats)
    implements Payload {
  @Override
  public MessageType type() {
    return MessageType.COMMAND_COMPLETE;
  }
}
