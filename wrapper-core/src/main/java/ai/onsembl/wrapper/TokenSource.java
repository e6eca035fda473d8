package ai.onsembl.wrapper;

/**
 * Where the link gets its token for each connect, instead of one fixed token: {@code start} uses
 * the saved login of {@code onsembl-agent login} this way, refreshing it before it expires. Called
 * on the link's thread before every connect and reconnect; {@link #tokenForConnect()} may block for
 * a refresh.
 */
public interface TokenSource {
  /**
   * The access token for the next connect.
   *
   * @throws AgentExitException (exit 3) when the login was refused and cannot be renewed
   */
  String tokenForConnect();

  /**
   * The backend sent TOKEN_REFRESH: adopt (and save) the new token, and the new refresh token when
   * it sent one.
   */
  void refreshed(String accessToken, Long expiresInSeconds, String refreshToken);
}
