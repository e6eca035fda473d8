package ai.onsembl.wrapper.login;

import ai.onsembl.wrapper.AgentExitException;
import ai.onsembl.wrapper.TokenSource;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * {@code start}'s token from a saved login: before every connect, when the access token expires
 * within 5 minutes, it is refreshed and the new pair saved (atomically) where the login came from;
 * TOKEN_REFRESH frames are adopted and saved the same way. A refused refresh ends the wrapper with
 * exit 3 and "run onsembl-agent login"; an unreachable backend keeps the current token (the connect
 * then fails and is retried, and so is the refresh). The HTTP client is loaded only when a refresh
 * is due.
 */
public final class SavedLoginTokens implements TokenSource {
  /** Refresh when the access token expires within this. */
  public static final Duration REFRESH_MARGIN = Duration.ofMinutes(5);

  private final LoginFile file;
  private final Clock clock;
  private final Consumer<String> log;
  private SavedLogin login;

  /**
   * @param log where the informational lines go (never a token)
   */
  public SavedLoginTokens(LoginFile file, SavedLogin login, Clock clock, Consumer<String> log) {
    this.file = file;
    this.login = login;
    this.clock = clock;
    this.log = log;
  }

  public synchronized SavedLogin login() {
    return login;
  }

  @Override
  public synchronized String tokenForConnect() {
    Instant now = clock.instant();
    if (!login.expiresWithin(REFRESH_MARGIN, now)) {
      return login.accessToken();
    }
    try {
      SavedLogin renewed = new DeviceLoginClient(login.serverUrl()).refresh(login);
      file.write(renewed);
      login = renewed;
      log.accept(
          "refreshed the saved login for "
              + login.serverUrl()
              + " ("
              + file.path()
              + "); the access token"
              + " is valid until "
              + login.expiresAt());
    } catch (DeviceLoginClient.RefreshRefused e) {
      throw AgentExitException.authRejected(
          "the saved login for "
              + login.serverUrl()
              + " could not be renewed ("
              + e.getMessage()
              + "); run onsembl-agent login");
    } catch (IOException e) {
      log.accept(
          "cannot refresh the saved login at "
              + login.serverUrl()
              + " ("
              + e.getMessage()
              + "); connecting with the current token, the refresh is retried before the next connect");
    }
    return login.accessToken();
  }

  @Override
  public synchronized void refreshed(
      String accessToken, Long expiresInSeconds, String refreshToken) {
    Instant expires =
        expiresInSeconds != null
            ? clock.instant().plusSeconds(expiresInSeconds)
            : JwtExpiry.of(accessToken).orElse(clock.instant().plus(REFRESH_MARGIN));
    login = login.renewed(accessToken, refreshToken, expires);
    file.write(login);
  }
}
