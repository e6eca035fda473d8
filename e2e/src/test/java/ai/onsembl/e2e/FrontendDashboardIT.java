package ai.onsembl.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.protocol.fixtures.UpstreamFixtures;
import ai.onsembl.wrapper.testing.RunningProcess;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Onsembl web frontend's own frames, replayed in its order (DASHBOARD_INIT with object
 * subscriptions, then its PING) against {@code onsembl-agent backend}, while a real wrapper
 * connects and is stopped with SIGTERM. The frontend sees no ERROR, its snapshot, the agent's
 * status, a PONG for its PING, and the agent's disconnect.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakChecks.class)
class FrontendDashboardIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(15);

  @TempDir Path home;

  /** A frame captured from the frontend ({@code upstream-frontend} in protocol's test-jar). */
  private static String frontendFrame(String name) {
    return UpstreamFixtures.read("upstream-frontend", name);
  }

  @Test
  void frontendFramesInItsOrderGetNoErrorAndSeeTheAgentComeAndGo() throws Exception {
    String init = frontendFrame("frontend-to-server__DASHBOARD_INIT.json");
    String ping = frontendFrame("frontend-to-server__PING.json");
    JsonNode pingPayload = JSON.readTree(ping).path("payload");
    assertThat(JSON.readTree(init).path("payload").path("subscriptions").path("agents").isObject())
        .as("the captured INIT subscribes with objects")
        .isTrue();

    try (BackendProcess backend = BackendProcess.start(home.resolve("b.db"), home);
        DashboardClient frontend =
            DashboardClient.open(backend.wsUrl(), BackendProcess.DASHBOARD_TOKEN)) {
      frontend.await("DASHBOARD_CONNECTED", p -> true, WAIT);
      frontend.send(init);
      frontend.await("ACK", p -> "msg_1_1796286315273".equals(p.path("messageId").asText()), WAIT);
      frontend.send(ping);
      JsonNode pong = frontend.await("PONG", p -> true, WAIT).path("payload");
      assertThat(pong.path("timestamp").asLong()).isEqualTo(pingPayload.path("timestamp").asLong());
      assertThat(pong.path("sequence").asLong()).isEqualTo(pingPayload.path("sequence").asLong());

      String name = "frontend-watched";
      try (RunningProcess wrapper =
          Dist.start(
              name,
              Map.of(
                  "HOME",
                  home.toString(),
                  "ONSEMBL_TOKEN",
                  BackendProcess.AGENT_TOKEN,
                  "ONSEMBL_STATE_DIR",
                  home.resolve("state").toString()),
              home,
              "start",
              "--server",
              backend.wsUrl(),
              "--agent",
              "mock",
              "--name",
              name)) {
        String agentId =
            backend.awaitAgent(name, "ONLINE", Duration.ofSeconds(30)).path("agentId").asText();
        frontend.await(
            "AGENT_STATUS",
            p ->
                agentId.equals(p.path("agentId").asText())
                    && "ONLINE".equals(p.path("status").asText()),
            WAIT);

        wrapper.signal("TERM");
        assertThat(wrapper.awaitExit(WAIT)).as(wrapper.transcript()).isEqualTo(143);
        frontend.await("AGENT_DISCONNECT", p -> agentId.equals(p.path("agentId").asText()), WAIT);
        frontend.await(
            "AGENT_STATUS",
            p ->
                agentId.equals(p.path("agentId").asText())
                    && "OFFLINE".equals(p.path("status").asText()),
            WAIT);
      }
      assertThat(frontend.frames("ERROR")).as("ERROR frames the frontend got").isEmpty();
      assertThat(frontend.frames())
          .extracting(f -> f.path("type").asText())
          .startsWith("DASHBOARD_CONNECTED")
          .containsSubsequence("ACK", "PONG", "AGENT_STATUS", "AGENT_DISCONNECT", "AGENT_STATUS");
    }
  }
}
