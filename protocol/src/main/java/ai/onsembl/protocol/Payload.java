package ai.onsembl.protocol;

/** The typed payload of one message type. Implementations are immutable records. */
public interface Payload {
  /** The envelope {@code type} this payload travels under. */
  MessageType type();
}
