package ai.onsembl.backend.internal.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SessionCookiesTest {

  private final MutableClock clock = new MutableClock();
  private final SessionCookies sessions =
      new SessionCookies(bytes("dash-token"), Duration.ofHours(1), clock);

  @Test
  void issuedSessionIsValidUntilItExpires() {
    String value = sessions.issue();
    assertThat(sessions.isValid(value)).isTrue();
    clock.advance(Duration.ofMinutes(59));
    assertThat(sessions.isValid(value)).isTrue();
    clock.advance(Duration.ofMinutes(2));
    assertThat(sessions.isValid(value)).as("an hour-long session after 61 min").isFalse();
  }

  @Test
  void sessionSurvivesANewInstanceWithTheSameSecretLikeABackendRestart() {
    String value = sessions.issue();
    SessionCookies restarted = new SessionCookies(bytes("dash-token"), Duration.ofHours(1), clock);
    assertThat(restarted.isValid(value)).isTrue();
  }

  @Test
  void rotatingTheSecretEndsEverySession() {
    String value = sessions.issue();
    SessionCookies rotated = new SessionCookies(bytes("new-token"), Duration.ofHours(1), clock);
    assertThat(rotated.isValid(value)).isFalse();
  }

  @Test
  void tamperedOrMalformedValuesAreRejected() {
    String value = sessions.issue();
    String[] parts = value.split("\\.");
    String laterExpiry =
        parts[0] + "." + (Long.parseLong(parts[1]) + 86_400) + "." + parts[2] + "." + parts[3];
    assertThat(sessions.isValid(laterExpiry)).as("expiry pushed out without re-signing").isFalse();
    assertThat(sessions.isValid(value.substring(0, value.length() - 2) + "AA")).isFalse();
    assertThat(sessions.isValid(null)).isFalse();
    assertThat(sessions.isValid("")).isFalse();
    assertThat(sessions.isValid("v1.x.y.z")).isFalse();
    assertThat(sessions.isValid("v2." + value.substring(3))).isFalse();
    assertThat(sessions.isValid("dash-token")).isFalse();
  }

  @Test
  void sessionIsFoundAmongOtherCookies() {
    String value = sessions.issue();
    assertThat(sessions.isValidHeader("theme=dark; " + SessionCookies.NAME + "=" + value + "; x=1"))
        .isTrue();
    assertThat(sessions.isValidHeader("theme=dark")).isFalse();
    assertThat(sessions.isValidHeader(null)).isFalse();
  }

  @Test
  void setCookieIsHttpOnlyAndSameSiteStrict() {
    String header = sessions.setCookieHeader("abc", false);
    assertThat(header)
        .startsWith(SessionCookies.NAME + "=abc;")
        .contains("; HttpOnly", "; SameSite=Strict", "; Path=/", "; Max-Age=3600")
        .doesNotContain("Secure");
    assertThat(sessions.setCookieHeader("abc", true)).endsWith("; Secure");
    assertThat(sessions.clearCookieHeader(false)).contains("Max-Age=0");
  }

  @Test
  void namedSessionsOnlyReadTheirOwnCookie() {
    SessionCookies a = sessions.named("onsembl_session_3002");
    SessionCookies b = sessions.named("onsembl_session_4002");
    String value = a.issue();
    assertThat(a.isValidHeader("onsembl_session_3002=" + value)).isTrue();
    assertThat(b.isValidHeader("onsembl_session_3002=" + value))
        .as("another port's cookie")
        .isFalse();
    assertThat(a.setCookieHeader(value, false)).startsWith("onsembl_session_3002=" + value + ";");
    assertThatThrownBy(() -> sessions.named("bad name;")).hasMessageContaining("cookie name");
  }

  @Test
  void emptySecretIsRefused() {
    assertThatThrownBy(() -> new SessionCookies(new byte[0], Duration.ofHours(1), clock))
        .hasMessageContaining("secret");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
