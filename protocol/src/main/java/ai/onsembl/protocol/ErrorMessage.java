package ai.onsembl.protocol;

import java.util.Map;

/**
 * ERROR: {@code code} (known codes in {@link ErrorCode}, others kept as they came), a human
 * message, optional details, and {@code messageId} of the frame it answers when known.
 */
public record ErrorMessage(
    EnumValue<ErrorCode> code, String message, Map<String, Object> details, String messageId)
    implements Payload {

  public ErrorMessage {
    details = ai.onsembl.protocol.internal.Frozen.map(details);
  }

  public static ErrorMessage of(ErrorCode code, String message) {
    return new ErrorMessage(EnumValue.of(code), message, null, null);
  }

  @Override
  public MessageType type() {
    return MessageType.ERROR;
  }
}
