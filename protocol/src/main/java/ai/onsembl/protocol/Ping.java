package ai.onsembl.protocol;

/** PING: answered at once by a PONG echoing {@code timestamp}. */
public record Ping(Long timestamp) implements Payload {
  @Override
  public MessageType type() {
    return MessageType.PING;
  }
}
