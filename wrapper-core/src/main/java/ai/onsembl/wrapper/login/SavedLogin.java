package ai.onsembl.wrapper.login;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A login to a backend: the access token, the refresh token, when the access token expires, who
 * approved it, and the backend's HTTP base URL. {@link #toString()} never shows a token.
 *
 * @param serverUrl the backend's HTTP(S) base, e.g. {@code https://onsembl.example.com}
 * @param expiresAt when the access token expires (second precision)
 * @param userId who approved the login, or null
 */
public record SavedLogin(
    String serverUrl,
    String accessToken,
    String refreshToken,
    Instant expiresAt,
    String userId,
    List<String> scopes) {

  public SavedLogin {
    Objects.requireNonNull(serverUrl, "serverUrl");
    Objects.requireNonNull(accessToken, "accessToken");
    Objects.requireNonNull(expiresAt, "expiresAt");
    scopes = scopes == null ? List.of() : List.copyOf(scopes);
  }

  /** True when the access token expires within {@code margin} of {@code now} (or already has). */
  public boolean expiresWithin(Duration margin, Instant now) {
    return !expiresAt.isAfter(now.plus(margin));
  }

  /**
   * This login with a new access token (and refresh token, when not null) expiring at {@code
   * expires}.
   */
  public SavedLogin renewed(String access, String refresh, Instant expires) {
    return new SavedLogin(
        serverUrl, access, refresh != null ? refresh : refreshToken, expires, userId, scopes);
  }

  @Override
  public String toString() {
    return "SavedLogin[serverUrl="
        + serverUrl
        + ", userId="
        + userId
        + ", expiresAt="
        + expiresAt
        + ", scopes="
        + scopes
        + ", tokens=***]";
  }
}
