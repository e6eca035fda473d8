package ai.onsembl.backend;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.protocol.AgentStatus;
import ai.onsembl.testing.ProtocolClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class StartupCleanupTest {
  @TempDir Path dir;

  private BackendConfig config(Path db) {
    return BackendConfig.defaults()
        .withPorts(0, 0)
        .withDatabaseFile(db)
        .withAgentToken("a")
        .withDashboardToken("d");
  }

  @Test
  void agentsLeftOnlineBecomeOfflineServerRestartedAndExecutingCommandsCancelledBeforePortsOpen()
      throws Exception {
    Path db = dir.resolve("left-online.db");
    // A first run creates the schema; then the rows a crashed backend would leave behind.
    ReferenceBackend.start(config(db)).close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement()) {
      s.execute(
          "INSERT INTO agents (agent_id, status, connection_epoch, last_seen, updated_at)"
              + " VALUES ('crashed-1', 'ONLINE', 7, 1000, 1000), ('crashed-2', 'ONLINE', 8, 1000, 1000),"
              + " ('fine', 'OFFLINE', 3, 900, 900)");
      s.execute(
          "INSERT INTO commands (command_id, agent_id, content, status, created_at, updated_at)"
              + " VALUES ('run-1', 'crashed-1', 'make', 'EXECUTING', 1000, 1000),"
              + " ('done-1', 'crashed-1', 'ls', 'COMPLETED', 900, 900)");
    }

    try (ReferenceBackend backend = ReferenceBackend.start(config(db))) {
      assertThat(backend.staleAgentsAtStartup()).isEqualTo(2);
      assertThat(backend.agent("crashed-1"))
          .get()
          .satisfies(
              a -> {
                assertThat(a.status()).isEqualTo(AgentStatus.OFFLINE);
                assertThat(a.disconnectReason()).isEqualTo("Server restarted");
              });
      assertThat(backend.agent("fine")).get().extracting(AgentState::disconnectReason).isNull();
      JsonNode run = Http.get(backend.httpUrl(), "/api/commands/run-1", "d").json();
      assertThat(run.get("status").asText()).isEqualTo("CANCELLED");
      assertThat(run.get("error").asText()).isEqualTo("Server restarted");
      assertThat(
              Http.get(backend.httpUrl(), "/api/commands/done-1", "d")
                  .json()
                  .get("status")
                  .asText())
          .isEqualTo("COMPLETED");
      assertThat(Http.get(backend.httpUrl(), "/metrics", "d").body())
          .contains("agent_stale_marked_total 2.0");
    }
  }

  @Test
  void closeIsIdempotentAndMarksLiveAgentsOffline() throws Exception {
    Path db = dir.resolve("graceful.db");
    ReferenceBackend backend = ReferenceBackend.start(config(db));
    ProtocolClient agent =
        ProtocolClient.agent(java.net.URI.create(backend.wsUrl() + "/ws/agent?token=a"), "live-1");
    try {
      backend.close();
      backend.close();
      assertThat(agent.awaitClose(java.time.Duration.ofSeconds(5))).isEqualTo(1001);
    } finally {
      agent.close();
    }
    try (ReferenceBackend again = ReferenceBackend.start(config(db))) {
      assertThat(again.staleAgentsAtStartup()).isZero();
      assertThat(again.agent("live-1"))
          .get()
          .extracting(AgentState::disconnectReason)
          .isEqualTo("Server stopped");
    }
  }

  @Test
  void configWithoutCredentialsIsNamedAndStartGeneratesThem() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> BackendConfig.defaults().validateCredentials())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("agent token or a JWT secret");
    // ReferenceBackend.start fills them in (TestBackendWithoutJUnitTest connects an agent with
    // them)
    BackendConfig.defaults().withGeneratedTokens().validateCredentials();
  }
}
