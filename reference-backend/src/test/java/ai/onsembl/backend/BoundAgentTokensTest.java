package ai.onsembl.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onsembl.protocol.ErrorCode;
import ai.onsembl.protocol.ErrorMessage;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.testing.ProtocolClient;
import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agent tokens bound to agent ids, and JWTs naming an agent id (issue: hostile clients, item 7).
 */
@Timeout(60)
class BoundAgentTokensTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String SECRET = "a-jwt-secret-of-at-least-thirty-two-bytes";
  @TempDir Path dir;

  private static ProtocolClient connect(ReferenceBackend b, String token)
      throws InterruptedException {
    ProtocolClient c =
        new ProtocolClient(
            URI.create(b.wsUrl() + "/ws/agent"), Map.of("Authorization", "Bearer " + token));
    c.answerPings = true;
    c.connectOrFail();
    return c;
  }

  private static void connectsAs(ReferenceBackend b, String token, String agentId)
      throws Exception {
    ProtocolClient c = connect(b, token);
    try {
      c.send(ProtocolClient.agentConnect(agentId));
      c.expect(MessageType.ACK, WAIT);
      assertThat(b.agent(agentId)).isPresent();
    } finally {
      c.closeBounded(Duration.ofSeconds(2));
    }
  }

  private static void refusedAs(ReferenceBackend b, String token, String agentId) throws Exception {
    var before = b.agent(agentId);
    ProtocolClient c = connect(b, token);
    try {
      c.send(ProtocolClient.agentConnect(agentId));
      ErrorMessage err = c.expect(MessageType.ERROR, WAIT).payload(ErrorMessage.class);
      assertThat(err.code().value()).isEqualTo(ErrorCode.UNAUTHORIZED);
      assertThat(err.message()).contains("not as " + agentId);
      assertThat(c.awaitClose(WAIT)).isEqualTo(4401);
      assertThat(b.agent(agentId))
          .as(agentId + " untouched by the refused connection")
          .isEqualTo(before);
    } finally {
      c.close();
    }
  }

  @Test
  void aBoundTokenConnectsOnlyAsItsAgentIdsAndTheSharedTokenStays() throws Exception {
    Path file = dir.resolve("agent-tokens");
    Files.writeString(
        file, "# token agent ids\ntok-build-1 build-1\n\ntok-ci ci-1 ci-2\ntok-any *\n");
    try (ReferenceBackend b =
        ReferenceBackend.start(
            BackendConfig.forTests()
                .withAgentToken("shared")
                .withAgentTokens(AgentTokens.read(file)))) {
      connectsAs(b, "tok-build-1", "build-1");
      refusedAs(b, "tok-build-1", "ci-1");
      connectsAs(b, "tok-ci", "ci-2");
      refusedAs(b, "tok-ci", "build-1");
      connectsAs(b, "tok-any", "whatever-1");
      connectsAs(b, "shared", "anyone-1");
      ProtocolClient dashboard =
          new ProtocolClient(URI.create(b.wsUrl() + "/ws/dashboard?token=tok-any"));
      dashboard.connectBlocking(5, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(dashboard.awaitClose(WAIT))
          .as("an agent token on the dashboard socket")
          .isEqualTo(4401);
    }
  }

  @Test
  void boundTokensAloneAreEnoughAndNoSharedTokenIsGenerated() throws Exception {
    try (ReferenceBackend b =
        ReferenceBackend.start(
            BackendConfig.defaults()
                .withPorts(0, 0)
                .withDashboardToken("d")
                .withAgentTokens(Map.of("only", Set.of("o-1"))))) {
      assertThat(b.config().agentToken()).isNull();
      connectsAs(b, "only", "o-1");
      refusedAs(b, "only", "o-2");
    }
  }

  @Test
  void aJwtNamingAnAgentIdConnectsOnlyAsThatId() throws Exception {
    try (ReferenceBackend b =
        ReferenceBackend.start(BackendConfig.defaults().withPorts(0, 0).withJwtSecret(SECRET))) {
      Algorithm alg = Algorithm.HMAC256(SECRET);
      Instant exp = Instant.now().plusSeconds(600);
      String named =
          JWT.create()
              .withSubject("u1")
              .withClaim("type", "cli")
              .withClaim("agentId", "j-1")
              .withExpiresAt(exp)
              .sign(alg);
      String several =
          JWT.create()
              .withSubject("u1")
              .withClaim("type", "cli")
              .withClaim("agentIds", List.of("j-2", "j-3"))
              .withExpiresAt(exp)
              .sign(alg);
      String unnamed =
          JWT.create().withSubject("u1").withClaim("type", "cli").withExpiresAt(exp).sign(alg);
      connectsAs(b, named, "j-1");
      refusedAs(b, named, "j-2");
      connectsAs(b, several, "j-3");
      refusedAs(b, several, "j-1");
      connectsAs(b, unnamed, "j-9");
    }
  }

  @Test
  void malformedTokenFilesNameTheLineAndWhatWasExpected() {
    assertThatThrownBy(() -> AgentTokens.parse(List.of("# c", "lonely-token"), "f"))
        .hasMessageContaining("f line 2")
        .hasMessageContaining("expected TOKEN AGENT_ID")
        .hasMessageNotContaining("lonely-token");
    assertThatThrownBy(() -> AgentTokens.parse(List.of("t a", "t b"), "f"))
        .hasMessageContaining("f line 2")
        .hasMessageContaining("already listed");
    assertThatThrownBy(() -> AgentTokens.parse(List.of("", "# nothing"), "f"))
        .hasMessageContaining("at least one line");
    assertThat(AgentTokens.parse(List.of("  t1   a  b ", "t2 *"), "f"))
        .containsEntry("t1", Set.of("a", "b"))
        .containsEntry("t2", Set.of("*"));
  }
}
