package ai.onsembl.backend;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.backend.junit.ReferenceBackendTest;
import ai.onsembl.backend.junit.TestBackend;
import ai.onsembl.protocol.AgentControl;
import ai.onsembl.protocol.AgentStatus;
import ai.onsembl.protocol.CommandCancel;
import ai.onsembl.protocol.CommandRequest;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.testing.ProtocolClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
@ReferenceBackendTest(heartbeatIntervalMillis = 200, heartbeatTimeoutMillis = 2000)
class RestApiTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  @Test
  void everyRouteButHealthzNeedsTheDashboardToken(TestBackend backend) throws Exception {
    for (String path :
        List.of(
            "/api/agents",
            "/api/agents/a",
            "/api/agents/a/history",
            "/api/commands?agentId=a",
            "/api/commands/c",
            "/metrics")) {
      Http.Reply r = Http.get(backend.httpUrl(), path, null);
      assertThat(r.status()).as("GET " + path + " without token").isEqualTo(401);
      assertThat(r.json().get("code").asText()).isEqualTo("UNAUTHORIZED");
      assertThat(Http.get(backend.httpUrl(), path, backend.agentToken()).status())
          .as("GET " + path + " with the agent token")
          .isEqualTo(401);
    }
    for (String path :
        List.of("/api/agents/a/commands", "/api/commands/c/cancel", "/api/agents/a/control")) {
      assertThat(Http.post(backend.httpUrl(), path, null, "{}").status())
          .as("POST " + path)
          .isEqualTo(401);
    }
    Http.Reply health = Http.get(backend.httpUrl(), "/healthz", null);
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json().get("status").asText()).isEqualTo("ok");
  }

  @Test
  void rootAndUnknownPathsAreJson404(TestBackend backend) throws Exception {
    for (String path : List.of("/", "/nope", "/api/agents/a/b/c")) {
      Http.Reply r = Http.get(backend.httpUrl(), path, backend.dashboardToken());
      assertThat(r.status()).as(path).isEqualTo(404);
      assertThat(r.contentType()).startsWith("application/json");
      assertThat(r.json().get("code").asText()).isEqualTo("NOT_FOUND");
    }
    assertThat(Http.post(backend.httpUrl(), "/api/agents", backend.dashboardToken(), "{}").status())
        .isEqualTo(405);
  }

  @Test
  void agentRoutesUseProtocolFieldNames(TestBackend backend) throws Exception {
    ProtocolClient agent = ProtocolClient.agent(backend.agentUri("rest-1"), "rest-1");
    try {
      agent.answerPings = true;
      JsonNode list = Http.get(backend.httpUrl(), "/api/agents", backend.dashboardToken()).json();
      JsonNode a = list.get("agents").get(0);
      assertThat(a.get("agentId").asText()).isEqualTo("rest-1");
      assertThat(a.get("status").asText()).isEqualTo("ONLINE");
      assertThat(a.get("lastSeen").isNumber()).isTrue();
      assertThat(a.get("lastSeen").asLong()).isGreaterThan(1_700_000_000_000L);
      assertThat(a.has("disconnectReason")).isTrue();
      assertThat(a.get("agentType").asText()).isEqualTo("CUSTOM");
    } finally {
      agent.closeBlocking();
    }
    backend.awaitAgentStatus("rest-1", AgentStatus.OFFLINE, WAIT);
    JsonNode one =
        Http.get(backend.httpUrl(), "/api/agents/rest-1", backend.dashboardToken()).json();
    assertThat(one.get("status").asText()).isEqualTo("OFFLINE");
    assertThat(one.get("disconnectReason").asText())
        .matches(AgentLifecycleTest.CLOSED_1000_OR_RESET);
    JsonNode history =
        Http.get(backend.httpUrl(), "/api/agents/rest-1/history", backend.dashboardToken()).json();
    assertThat(history.get("history"))
        .extracting(h -> h.get("status").asText())
        .containsExactly("OFFLINE", "ONLINE");
    Http.Reply missing =
        Http.get(backend.httpUrl(), "/api/agents/nobody", backend.dashboardToken());
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().get("code").asText()).isEqualTo("AGENT_NOT_FOUND");
  }

  @Test
  void commandRoutesSubmitListShowCancelAndControl(TestBackend backend) throws Exception {
    ProtocolClient agent = ProtocolClient.agent(backend.agentUri("rest-2"), "rest-2");
    try {
      Http.Reply posted =
          Http.post(
              backend.httpUrl(),
              "/api/agents/rest-2/commands",
              backend.dashboardToken(),
              "{\"content\":\"echo hi\"}");
      assertThat(posted.status()).isEqualTo(202);
      String id = posted.json().get("commandId").asText();
      assertThat(
              agent
                  .expect(MessageType.COMMAND_REQUEST, WAIT)
                  .payload(CommandRequest.class)
                  .commandId())
          .isEqualTo(id);

      JsonNode list =
          Http.get(backend.httpUrl(), "/api/commands?agentId=rest-2", backend.dashboardToken())
              .json();
      assertThat(list.get("commands"))
          .extracting(c -> c.get("commandId").asText())
          .containsExactly(id);
      JsonNode one =
          Http.get(backend.httpUrl(), "/api/commands/" + id, backend.dashboardToken()).json();
      assertThat(one.get("content").asText()).isEqualTo("echo hi");
      assertThat(one.get("status").asText()).isEqualTo("PENDING");
      assertThat(one.get("output")).isEmpty();

      Http.Reply cancel =
          Http.post(
              backend.httpUrl(), "/api/commands/" + id + "/cancel", backend.dashboardToken(), "");
      assertThat(cancel.status()).isEqualTo(202);
      assertThat(
              agent
                  .expect(MessageType.COMMAND_CANCEL, WAIT)
                  .payload(CommandCancel.class)
                  .commandId())
          .isEqualTo(id);

      Http.Reply control =
          Http.post(
              backend.httpUrl(),
              "/api/agents/rest-2/control",
              backend.dashboardToken(),
              "{\"action\":\"STOP\"}");
      assertThat(control.status()).isEqualTo(202);
      assertThat(
              agent
                  .expect(MessageType.AGENT_CONTROL, WAIT)
                  .payload(AgentControl.class)
                  .action()
                  .raw())
          .isEqualTo("STOP");

      Http.Reply bad =
          Http.post(
              backend.httpUrl(),
              "/api/agents/rest-2/control",
              backend.dashboardToken(),
              "{\"action\":\"EXPLODE\"}");
      assertThat(bad.status()).isEqualTo(400);
      Http.Reply badBody =
          Http.post(
              backend.httpUrl(),
              "/api/agents/rest-2/commands",
              backend.dashboardToken(),
              "not json");
      assertThat(badBody.status()).isEqualTo(400);
      assertThat(badBody.json().get("message").asText()).contains("expected a JSON object");
      assertThat(
              Http.post(
                      backend.httpUrl(), "/api/commands/nope/cancel", backend.dashboardToken(), "")
                  .status())
          .isEqualTo(404);
    } finally {
      agent.close();
    }
  }

  @Test
  void metricsArePrometheusTextWithTheDesignNamesAndNoGhosts(TestBackend backend) throws Exception {
    ProtocolClient dashboard = ProtocolClient.open(backend.dashboardUri());
    ProtocolClient agent = ProtocolClient.agent(backend.agentUri("m-1"), "m-1");
    try {
      dashboard.expect(MessageType.DASHBOARD_CONNECTED, WAIT);
      agent.closeBlocking();
      backend.awaitAgentStatus("m-1", AgentStatus.OFFLINE, WAIT);

      Http.Reply r = Http.get(backend.httpUrl(), "/metrics", backend.dashboardToken());
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.contentType()).startsWith("text/plain");
      assertThat(r.body())
          .contains(
              "agent_connected_total 1.0",
              "agent_disconnected_total{reason=\"connection_closed\"} 1.0",
              "agent_disconnected_total{reason=\"heartbeat_timeout\"} 0.0",
              "agent_disconnected_total{reason=\"agent_disconnect\"} 0.0",
              "# TYPE agent_heartbeat_timeout_total counter",
              "# TYPE agent_stale_marked_total counter",
              "agent_disconnect_latency_seconds_count 1",
              "agent_ghost_count 0.0",
              "dashboard_connections 1.0");
    } finally {
      dashboard.close();
    }
  }
}
