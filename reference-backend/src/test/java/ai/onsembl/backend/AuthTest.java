package ai.onsembl.backend;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.backend.junit.ReferenceBackendTest;
import ai.onsembl.backend.junit.TestBackend;
import ai.onsembl.protocol.ErrorCode;
import ai.onsembl.protocol.ErrorMessage;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.testing.ProtocolClient;
import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
@ReferenceBackendTest(jwtSecret = AuthTest.SECRET)
class AuthTest {
  /** 14 bytes, like the TypeScript backend's default secret: accepted, with a startup warning. */
  static final String SECRET = "dev-secret-key";

  private static final Duration WAIT = Duration.ofSeconds(5);

  private static URI agentUri(TestBackend b, String id, String token) {
    return URI.create(b.wsUrl() + "/ws/agent?agentId=" + id + "&token=" + token);
  }

  /** Connects, expects ERROR UNAUTHORIZED then close 4401; returns the ERROR message text. */
  private static String assertRefused(URI uri, Map<String, String> headers, String agentId)
      throws Exception {
    ProtocolClient c = new ProtocolClient(uri, headers);
    try {
      // The backend may refuse and close before connectBlocking looks, so its result proves nothing
      // here.
      boolean open = c.connectBlocking(5, java.util.concurrent.TimeUnit.SECONDS);
      if (open && agentId != null) {
        try {
          c.send(ProtocolClient.agentConnect(agentId));
        } catch (org.java_websocket.exceptions.WebsocketNotConnectedException e) {
          // already closed by the backend: fine
        }
      }
      ErrorMessage err = c.expect(MessageType.ERROR, WAIT).payload(ErrorMessage.class);
      assertThat(err.code().value()).isEqualTo(ErrorCode.UNAUTHORIZED);
      assertThat(c.awaitClose(WAIT)).isEqualTo(4401);
      return err.message();
    } finally {
      c.close();
    }
  }

  @Test
  void wrongTokenIsRefusedWith4401AndNothingIsStored(TestBackend backend) throws Exception {
    String message = assertRefused(agentUri(backend, "intruder", "wrong"), Map.of(), "intruder");

    assertThat(message).isEqualTo("Invalid authentication token");
    assertThat(backend.backend().agents()).isEmpty();
    assertThat(
            Http.get(backend.httpUrl(), "/api/agents/intruder", backend.dashboardToken()).status())
        .isEqualTo(404);
  }

  @Test
  void missingTokenIsRefused(TestBackend backend) throws Exception {
    assertThat(assertRefused(URI.create(backend.wsUrl() + "/ws/agent?agentId=x"), Map.of(), null))
        .isEqualTo("Missing authentication token");
  }

  @Test
  void dashboardTokenCannotOpenAnAgentConnectionAndViceVersa(TestBackend backend) throws Exception {
    assertThat(assertRefused(agentUri(backend, "x", backend.dashboardToken()), Map.of(), "x"))
        .contains("dashboard token cannot open an agent connection");
    assertThat(
            assertRefused(
                URI.create(backend.wsUrl() + "/ws/dashboard?token=" + backend.agentToken()),
                Map.of(),
                null))
        .contains("agent token cannot open a dashboard connection");
    assertThat(backend.backend().agents()).isEmpty();
  }

  @Test
  void bearerHeaderAuthenticatesLikeTheQueryToken(TestBackend backend) throws Exception {
    ProtocolClient c =
        new ProtocolClient(
            URI.create(backend.wsUrl() + "/ws/agent?agentId=h1"),
            Map.of("Authorization", "Bearer " + backend.agentToken()));
    try {
      c.connectOrFail();
      c.send(ProtocolClient.agentConnect("h1"));
      c.expect(MessageType.ACK, WAIT);
    } finally {
      c.close();
    }
  }

  @Test
  void validHs256JwtOfTypeCliOpensAnAgentConnectionEvenWithAShortSecret(TestBackend backend)
      throws Exception {
    String jwt =
        JWT.create()
            .withSubject("user-1")
            .withClaim("type", "cli")
            .withExpiresAt(Instant.now().plusSeconds(60))
            .sign(Algorithm.HMAC256(SECRET));
    ProtocolClient c = ProtocolClient.agent(agentUri(backend, "j1", jwt), "j1");
    c.close();
  }

  @Test
  void dashboardJwtOpensDashboardButNotAgent(TestBackend backend) throws Exception {
    String jwt =
        JWT.create()
            .withSubject("user-1")
            .withClaim("type", "access")
            .withExpiresAt(Instant.now().plusSeconds(60))
            .sign(Algorithm.HMAC256(SECRET));
    ProtocolClient d =
        ProtocolClient.open(URI.create(backend.wsUrl() + "/ws/dashboard?token=" + jwt));
    d.expect(MessageType.DASHBOARD_CONNECTED, WAIT);
    d.close();
    assertThat(assertRefused(agentUri(backend, "x", jwt), Map.of(), "x"))
        .contains("cannot open an agent connection");
  }

  @Test
  void expiredJwtIsRefused(TestBackend backend) throws Exception {
    String jwt =
        JWT.create()
            .withClaim("type", "cli")
            .withExpiresAt(Instant.now().minusSeconds(5))
            .sign(Algorithm.HMAC256(SECRET));
    assertThat(assertRefused(agentUri(backend, "e1", jwt), Map.of(), "e1"))
        .isEqualTo("JWT expired");
    assertThat(backend.backend().agents()).isEmpty();
  }

  @Test
  void jwtWithoutExpIsRefused(TestBackend backend) throws Exception {
    String jwt = JWT.create().withClaim("type", "cli").sign(Algorithm.HMAC256(SECRET));
    assertThat(assertRefused(agentUri(backend, "n1", jwt), Map.of(), "n1"))
        .isEqualTo("JWT without exp claim");
  }

  @Test
  void algNoneJwtIsRefused(TestBackend backend) throws Exception {
    String jwt =
        JWT.create()
            .withClaim("type", "cli")
            .withExpiresAt(Instant.now().plusSeconds(60))
            .sign(Algorithm.none());
    assertThat(jwt).endsWith(".");
    // java-jwt writes "header.payload." for none; give it a dummy third part too, as an attacker
    // would.
    assertThat(assertRefused(agentUri(backend, "n2", jwt + "x"), Map.of(), "n2"))
        .contains("algorithm not accepted");
    String noneHeader =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String forged = noneHeader + jwt.substring(jwt.indexOf('.'));
    assertThat(assertRefused(agentUri(backend, "n3", forged), Map.of(), "n3"))
        .contains("algorithm not accepted");
    assertThat(backend.backend().agents()).isEmpty();
  }

  @Test
  void jwtSignedWithAnotherSecretIsRefused(TestBackend backend) throws Exception {
    String jwt =
        JWT.create()
            .withClaim("type", "cli")
            .withExpiresAt(Instant.now().plusSeconds(60))
            .sign(Algorithm.HMAC256("another-secret-entirely"));
    assertThat(assertRefused(agentUri(backend, "w1", jwt), Map.of(), "w1"))
        .isEqualTo("JWT signature invalid");
  }
}
