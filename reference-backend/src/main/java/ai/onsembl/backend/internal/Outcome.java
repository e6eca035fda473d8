package ai.onsembl.backend.internal;

import ai.onsembl.protocol.ErrorCode;

/**
 * The result of a request from a dashboard or REST: a value, or a refusal with the protocol error
 * code and the HTTP status it maps to.
 */
public record Outcome<T>(T value, ErrorCode code, String message, int httpStatus) {
  static <T> Outcome<T> ok(T value) {
    return new Outcome<>(value, null, null, 200);
  }

  static <T> Outcome<T> refused(ErrorCode code, String message, int httpStatus) {
    return new Outcome<>(null, code, message, httpStatus);
  }

  public boolean isOk() {
    return code == null;
  }
}
