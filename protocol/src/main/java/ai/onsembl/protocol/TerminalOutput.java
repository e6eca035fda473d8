package ai.onsembl.protocol;

/**
 * TERMINAL_OUTPUT: one chunk of a command's output. {@code sequence} counts from 1 per command id
 * and never repeats; {@code ansiCodes} carries the raw text with escape sequences when {@code
 * content} was stripped of them.
 */
public record TerminalOutput(
    String commandId,
    String agentId,
    EnumValue<StreamType> streamType,
    String content,
    long sequence,
    String ansiCodes)
    implements Payload {
  @Override
  public MessageType type() {
    return MessageType.TERMINAL_OUTPUT;
  }
}
