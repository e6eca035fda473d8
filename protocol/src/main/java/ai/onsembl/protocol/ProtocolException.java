package ai.onsembl.protocol;

/**
 * A frame that cannot be accepted. Each {@link Kind} maps to the ERROR code a receiver answers
 * with. When the envelope could be read, {@link #messageId()} and {@link #rawType()} say which
 * frame it was.
 */
public final class ProtocolException extends Exception {

  /** Why a frame was refused. */
  public enum Kind {
    /** The frame is not JSON, or not a JSON object, or nests too deep. */
    NOT_JSON(ErrorCode.INVALID_MESSAGE),
    /** An envelope field (type, id, timestamp, payload) is missing or of the wrong JSON type. */
    INVALID_ENVELOPE(ErrorCode.INVALID_MESSAGE),
    /** {@code timestamp} is not epoch milliseconds as a JSON number (an ISO string, say). */
    INVALID_TIMESTAMP(ErrorCode.INVALID_MESSAGE),
    /** A payload field is missing or does not have the expected form. */
    INVALID_PAYLOAD(ErrorCode.INVALID_MESSAGE),
    /** The frame is larger than the limit; it was not parsed. */
    FRAME_TOO_LARGE(ErrorCode.RESOURCE_EXHAUSTED),
    /** The {@code type} is not one this build knows. */
    UNKNOWN_TYPE(ErrorCode.UNKNOWN_MESSAGE_TYPE);

    private final ErrorCode errorCode;

    Kind(ErrorCode errorCode) {
      this.errorCode = errorCode;
    }

    public ErrorCode errorCode() {
      return errorCode;
    }
  }

  private static final long serialVersionUID = 1L;

  private final Kind kind;
  private final String messageId;
  private final String rawType;

  public ProtocolException(
      Kind kind, String message, String messageId, String rawType, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.messageId = messageId;
    this.rawType = rawType;
  }

  public ProtocolException(Kind kind, String message) {
    this(kind, message, null, null, null);
  }

  public Kind kind() {
    return kind;
  }

  public ErrorCode errorCode() {
    return kind.errorCode();
  }

  /** The envelope id of the refused frame, or null when it could not be read. */
  public String messageId() {
    return messageId;
  }

  /** The envelope type text of the refused frame, or null when it could not be read. */
  public String rawType() {
    return rawType;
  }

  /** The ERROR payload a receiver sends back for this refusal. */
  public ErrorMessage toErrorPayload() {
    return new ErrorMessage(EnumValue.of(errorCode()), getMessage(), null, messageId);
  }
}
