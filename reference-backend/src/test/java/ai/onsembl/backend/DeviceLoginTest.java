package ai.onsembl.backend;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.testing.ProtocolClient;
import com.auth0.jwt.JWT;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device login (RFC 8628) over real HTTP on a backend with a real SQLite file: authorize,
 * pending, slow_down, approval by the dashboard token, the token pair opening /ws/agent, refresh
 * rotation, a restart keeping the generated signing key, and the refusals (wrong code, expired
 * code, spent refresh token).
 */
@Timeout(60)
class DeviceLoginTest {
  private static final String AUTHORIZE =
      "{\"client_id\":\"onsembl-cli\",\"scope\":\"agent:manage\"}";

  @TempDir Path dir;

  private BackendConfig config() {
    return BackendConfig.defaults()
        .withPorts(0, 0)
        .withDatabaseFile(dir.resolve("b.db"))
        .withAgentToken("static-a")
        .withDashboardToken("dash")
        .withAccessTokenTtl(Duration.ofMinutes(7));
  }

  private static String poll(String deviceCode) {
    return "{\"device_code\":\""
        + deviceCode
        + "\",\"grant_type\":\"urn:ietf:params:oauth:grant-type:device_code\"}";
  }

  private static String refresh(String token) {
    return "{\"refresh_token\":\"" + token + "\",\"grant_type\":\"refresh_token\"}";
  }

  @Test
  void deviceCodeIsApprovedExchangedForTokensThatOpenTheAgentEndpointAndRefreshRotates()
      throws Exception {
    String access;
    String refresh;
    try (ReferenceBackend b = ReferenceBackend.start(config())) {
      JsonNode a = Http.post(b.httpUrl(), "/api/auth/device/authorize", null, AUTHORIZE).json();
      String userCode = a.get("user_code").asText();
      assertThat(userCode).matches("[A-Z]{4}-[A-Z]{4}");
      assertThat(a.get("expires_in").asInt()).isEqualTo(600);
      assertThat(a.get("interval").asInt()).isEqualTo(5);
      assertThat(a.get("verification_uri").asText()).isEqualTo(b.httpUrl() + "/agents");
      assertThat(a.get("verification_uri_complete").asText())
          .isEqualTo(b.httpUrl() + "/agents?user_code=" + userCode);
      String deviceCode = a.get("device_code").asText();

      Http.Reply pending = Http.post(b.httpUrl(), "/api/auth/device/token", null, poll(deviceCode));
      assertThat(pending.status()).isEqualTo(400);
      assertThat(pending.json().get("error").asText()).isEqualTo("authorization_pending");
      Http.Reply tooFast = Http.post(b.httpUrl(), "/api/auth/device/token", null, poll(deviceCode));
      assertThat(tooFast.json().get("error").asText()).isEqualTo("slow_down");

      Http.Reply noUser =
          Http.post(
              b.httpUrl(),
              "/api/auth/device/confirm",
              null,
              "{\"user_code\":\"" + userCode + "\"}");
      assertThat(noUser.status()).as("confirm needs a signed-in dashboard user").isEqualTo(401);
      Http.Reply agentToken =
          Http.post(
              b.httpUrl(),
              "/api/auth/device/confirm",
              "static-a",
              "{\"user_code\":\"" + userCode + "\"}");
      assertThat(agentToken.status()).as("an agent token is no dashboard user").isEqualTo(401);
      Http.Reply wrong =
          Http.post(
              b.httpUrl(), "/api/auth/device/confirm", "dash", "{\"user_code\":\"BBBB-BBBB\"}");
      assertThat(wrong.status()).isEqualTo(400);
      assertThat(wrong.json().get("error").asText()).isEqualTo("invalid_user_code");
      assertThat(wrong.json().get("error_description").asText()).contains("BBBB-BBBB");

      Http.Reply ok =
          Http.post(
              b.httpUrl(),
              "/api/auth/device/confirm",
              "dash",
              "{\"user_code\":\"" + userCode.toLowerCase(java.util.Locale.ROOT) + "\"}");
      assertThat(ok.status()).as(ok.body()).isEqualTo(200);
      Http.Reply again =
          Http.post(
              b.httpUrl(),
              "/api/auth/device/confirm",
              "dash",
              "{\"user_code\":\"" + userCode + "\"}");
      assertThat(again.json().get("error").asText())
          .as("a code is approved once")
          .isEqualTo("invalid_user_code");

      Http.Reply tokens = Http.post(b.httpUrl(), "/api/auth/device/token", null, poll(deviceCode));
      assertThat(tokens.status()).as(tokens.body()).isEqualTo(200);
      JsonNode t = tokens.json();
      assertThat(t.get("token_type").asText()).isEqualTo("Bearer");
      assertThat(t.get("expires_in").asLong()).isEqualTo(420);
      assertThat(t.get("scope").asText()).isEqualTo("agent:manage");
      access = t.get("access_token").asText();
      refresh = t.get("refresh_token").asText();
      DecodedJWT jwt = JWT.decode(access);
      assertThat(jwt.getAlgorithm()).isEqualTo("HS256");
      assertThat(jwt.getClaim("type").asString()).isEqualTo("cli");
      assertThat(jwt.getSubject()).isEqualTo("dashboard");
      Http.Reply reused = Http.post(b.httpUrl(), "/api/auth/device/token", null, poll(deviceCode));
      assertThat(reused.json().get("error").asText())
          .as("a device code is exchanged once")
          .isEqualTo("invalid_grant");

      agentOnline(b, access, "device-1");
      Http.Reply dashboardUse = Http.get(b.httpUrl(), "/api/agents", access);
      assertThat(dashboardUse.status())
          .as("a device token is no dashboard credential")
          .isEqualTo(401);

      Http.Reply rotated = Http.post(b.httpUrl(), "/api/auth/cli/refresh", null, refresh(refresh));
      assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
      Http.Reply spent = Http.post(b.httpUrl(), "/api/auth/cli/refresh", null, refresh(refresh));
      assertThat(spent.status()).as("refresh tokens are rotated on use").isEqualTo(401);
      assertThat(spent.json().get("error").asText()).isEqualTo("invalid_grant");
      access = rotated.json().get("access_token").asText();
      refresh = rotated.json().get("refresh_token").asText();
      assertThat(refresh).isNotEqualTo(t.get("refresh_token").asText());
    }
    try (ReferenceBackend b = ReferenceBackend.start(config())) {
      agentOnline(b, access, "device-2");
      Http.Reply afterRestart =
          Http.post(b.httpUrl(), "/api/auth/cli/refresh", null, refresh(refresh));
      assertThat(afterRestart.status())
          .as("the generated key and refresh tokens survive a restart: " + afterRestart.body())
          .isEqualTo(200);
    }
  }

  @Test
  void expiredCodeIsRefusedOnConfirmAndPoll() throws Exception {
    try (ReferenceBackend b = ReferenceBackend.start(config())) {
      JsonNode a = Http.post(b.httpUrl(), "/api/auth/device/authorize", null, AUTHORIZE).json();
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("b.db"));
          Statement s = c.createStatement()) {
        s.execute("PRAGMA busy_timeout=5000");
        assertThat(s.executeUpdate("UPDATE device_codes SET expires_at = 1")).isEqualTo(1);
      }
      Http.Reply confirm =
          Http.post(
              b.httpUrl(),
              "/api/auth/device/confirm",
              "dash",
              "{\"user_code\":\"" + a.get("user_code").asText() + "\"}");
      assertThat(confirm.json().get("error").asText()).isEqualTo("expired_token");
      Http.Reply polled =
          Http.post(
              b.httpUrl(), "/api/auth/device/token", null, poll(a.get("device_code").asText()));
      assertThat(polled.status()).isEqualTo(400);
      assertThat(polled.json().get("error").asText()).isEqualTo("expired_token");
    }
  }

  @Test
  void badRequestsSayWhatWasExpected() throws Exception {
    try (ReferenceBackend b = ReferenceBackend.start(config())) {
      Http.Reply noClient = Http.post(b.httpUrl(), "/api/auth/device/authorize", null, "{}");
      assertThat(noClient.status()).isEqualTo(400);
      assertThat(noClient.json().get("error_description").asText()).contains("client_id");
      Http.Reply grant =
          Http.post(b.httpUrl(), "/api/auth/device/token", null, "{\"device_code\":\"x\"}");
      assertThat(grant.json().get("error").asText()).isEqualTo("unsupported_grant_type");
      Http.Reply unknown = Http.post(b.httpUrl(), "/api/auth/device/token", null, poll("nope"));
      assertThat(unknown.json().get("error").asText()).isEqualTo("invalid_grant");
      Http.Reply badRefresh =
          Http.post(b.httpUrl(), "/api/auth/cli/refresh", null, refresh("nope"));
      assertThat(badRefresh.status()).isEqualTo(401);
    }
  }

  @Test
  void withJwtSecretDeviceTokensAreSignedWithIt() throws Exception {
    String secret = "0123456789abcdef0123456789abcdef";
    try (ReferenceBackend b = ReferenceBackend.start(config().withJwtSecret(secret))) {
      JsonNode a = Http.post(b.httpUrl(), "/api/auth/device/authorize", null, AUTHORIZE).json();
      Http.post(
          b.httpUrl(),
          "/api/auth/device/confirm",
          "dash",
          "{\"user_code\":\"" + a.get("user_code").asText() + "\"}");
      String access =
          Http.post(
                  b.httpUrl(), "/api/auth/device/token", null, poll(a.get("device_code").asText()))
              .json()
              .get("access_token")
              .asText();
      JWT.require(com.auth0.jwt.algorithms.Algorithm.HMAC256(secret)).build().verify(access);
      agentOnline(b, access, "device-3");
    }
  }

  private static void agentOnline(ReferenceBackend b, String access, String id) throws Exception {
    ProtocolClient agent =
        ProtocolClient.agent(
            URI.create(b.wsUrl() + "/ws/agent?agentId=" + id + "&token=" + access), id);
    try {
      assertThat(Http.get(b.httpUrl(), "/api/agents/" + id, "dash").json().get("status").asText())
          .isEqualTo("ONLINE");
    } finally {
      agent.close();
    }
  }
}
