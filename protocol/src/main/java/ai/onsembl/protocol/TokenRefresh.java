package ai.onsembl.protocol;

/** TOKEN_REFRESH: a new token for the next reconnect; {@code expiresIn} in seconds. */
public record TokenRefresh(String accessToken, Long expiresIn, String refreshToken)
    implements Payload {
  @Override
  public String toString() {
    return "TokenRefresh[accessToken=***, expiresIn="
        + expiresIn
        + ", refreshToken="
        + (refreshToken == null ? null : "***")
        + "]";
  }

  @Override
  public MessageType type() {
    return MessageType.TOKEN_REFRESH;
  }
}
