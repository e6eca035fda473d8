package ai.onsembl.protocol;

import java.util.Objects;
import java.util.UUID;

/**
 * The envelope: {@code {"type", "id", "timestamp", "payload"}}, all four required.
 *
 * @param type the message type; always {@code payload.type()}
 * @param id non-empty, unique per sender; replies point at it ({@code ACK.messageId})
 * @param timestamp epoch milliseconds (a JSON number on the wire)
 * @param payload the typed payload
 */
public record Message(MessageType type, String id, long timestamp, Payload payload) {

  public Message {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(payload, "payload");
    if (id.isEmpty()) {
      throw new IllegalArgumentException("id must not be empty");
    }
    if (payload.type() != type) {
      throw new IllegalArgumentException(
          "type " + type + " does not match payload " + payload.getClass().getSimpleName());
    }
  }

  /** A new message with a fresh UUID and the current time. */
  public static Message of(Payload payload) {
    return new Message(
        payload.type(), UUID.randomUUID().toString(), System.currentTimeMillis(), payload);
  }

  /** A new message with the given id and the current time. */
  public static Message of(String id, Payload payload) {
    return new Message(payload.type(), id, System.currentTimeMillis(), payload);
  }

  /** The payload as {@code type}, or a clear error when it is another one. */
  public <P extends Payload> P payload(Class<P> expected) {
    if (!expected.isInstance(payload)) {
      throw new IllegalStateException(
          "Expected " + expected.getSimpleName() + " but message " + id + " is " + type);
    }
    return expected.cast(payload);
  }
}
