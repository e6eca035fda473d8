package ai.onsembl.protocol;

/** EMERGENCY_STOP: cancel every command at once, forcibly. */
public record EmergencyStop(String reason, String triggeredBy, Long timestamp) implements Payload {
  @Override
  public MessageType type() {
    return MessageType.EMERGENCY_STOP;
  }
}
