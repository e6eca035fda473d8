package ai.onsembl.protocol;

/** TERMINAL_STREAM: one chunk of output relayed to dashboards, exactly once. */
public record TerminalStream(
    String commandId,
    String agentId,
    EnumValue<StreamType> streamType,
    String content,
    Long sequence,
    Long timestamp,
    String ansiCodes)
    implements Payload {
  @Override
  public MessageType type() {
    return MessageType.TERMINAL_STREAM;
  }
}
