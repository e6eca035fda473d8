package ai.onsembl.protocol;

/** PONG: {@code timestamp} echoes the PING's {@code payload.timestamp}. */
public record Pong(Long timestamp) implements Payload {
  @Override
  public MessageType type() {
    return MessageType.PONG;
  }
}
