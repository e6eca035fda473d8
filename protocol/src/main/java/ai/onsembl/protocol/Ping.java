package ai.onsembl.protocol;

/**
 * PING: answered at once by a PONG echoing {@code timestamp} (and {@code sequence} when present).
 * The Onsembl web frontend numbers its PINGs with {@code sequence}; the backends send only {@code
 * timestamp}.
 */
public record Ping(Long timestamp, Long sequence) implements Payload {

  public Ping(Long timestamp) {
    this(timestamp, null);
  }

  @Override
  public MessageType type() {
    return MessageType.PING;
  }
}
