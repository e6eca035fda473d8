package ai.onsembl.protocol;

/** SERVER_HEARTBEAT: the server's clock and the heartbeat interval it expects, in ms. */
public record ServerHeartbeat(Long serverTime, Long nextPingExpected) implements Payload {
  @Override
  public MessageType type() {
    return MessageType.SERVER_HEARTBEAT;
  }
}
