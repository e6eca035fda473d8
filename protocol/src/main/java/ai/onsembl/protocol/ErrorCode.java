package ai.onsembl.protocol;

/** Codes carried by ERROR frames. The TypeScript backend's own codes are included. */
public enum ErrorCode {
  /** Not JSON, a missing or malformed envelope field, or an invalid payload field. */
  INVALID_MESSAGE,
  /** A {@code type} the receiver does not know. */
  UNKNOWN_MESSAGE_TYPE,
  /** A known type that is not accepted on this endpoint (the TypeScript backend's code). */
  INVALID_MESSAGE_TYPE,
  /** A frame over the size limit. */
  RESOURCE_EXHAUSTED,
  UNAUTHORIZED,
  AUTH_FAILED,
  FORBIDDEN,
  RATE_LIMITED,
  AGENT_NOT_FOUND,
  AGENT_OFFLINE,
  COMMAND_NOT_FOUND,
  INTERNAL_ERROR,
  UNKNOWN
}
