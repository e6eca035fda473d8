package ai.onsembl.protocol;

/**
 * PONG: {@code timestamp} echoes the PING's {@code payload.timestamp}, {@code sequence} its
 * sequence when it had one; {@code latency} (milliseconds from the PING's timestamp to the answer)
 * is what the TypeScript backend adds for dashboards.
 */
public record Pong(Long timestamp, Long latency, Long sequence) implements Payload {

  public Pong(Long timestamp) {
    this(timestamp, null, null);
  }

  /** The answer to {@code ping}, sent at {@code nowMillis}. */
  public static Pong answering(Ping ping, long nowMillis) {
    Long latency = ping.timestamp() == null ? null : Math.max(0, nowMillis - ping.timestamp());
    return new Pong(ping.timestamp(), latency, ping.sequence());
  }

  @Override
  public MessageType type() {
    return MessageType.PONG;
  }
}
