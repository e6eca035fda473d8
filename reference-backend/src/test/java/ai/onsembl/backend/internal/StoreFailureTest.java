package ai.onsembl.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.backend.AgentState;
import ai.onsembl.backend.BackendConfig;
import ai.onsembl.backend.ReferenceBackend;
import ai.onsembl.protocol.AgentStatus;
import ai.onsembl.protocol.AgentStatusUpdate;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.testing.ProtocolClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store cannot be written (another process holds SQLite's write lock: SQLITE_BUSY past the busy
 * timeout): a lost agent's OFFLINE is retried until it lands, new agents are refused with a clear
 * reason meanwhile, /healthz and /metrics say so, and no ghost is left once the store recovers.
 */
@Timeout(120)
class StoreFailureTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final List<ProtocolClient> clients = new ArrayList<>();
  private ReferenceBackend backend;
  private Connection locker;

  @TempDir Path tmp;

  @AfterEach
  void stop() throws Exception {
    if (locker != null) {
      locker.close();
    }
    clients.forEach(ProtocolClient::close);
    if (backend != null) {
      backend.close();
    }
  }

  private ProtocolClient track(ProtocolClient c) {
    clients.add(c);
    return c;
  }

  private int healthz() throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(backend.httpUrl() + "/healthz"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return r.statusCode();
  }

  @Test
  void lostAgentIsWrittenOfflineOnceTheStoreRecoversAndNewAgentsAreRefusedUntilThen()
      throws Exception {
    Path db = tmp.resolve("store.db");
    backend =
        ReferenceBackend.start(
            BackendConfig.forTests()
                .withDatabasePath(db.toString())
                .withHeartbeat(Duration.ofSeconds(5), Duration.ofSeconds(60)));
    BackendCore core = BackendAccess.bridge().core(backend);
    URI agentUri = URI.create(backend.wsUrl() + "/ws/agent?token=" + backend.config().agentToken());
    ProtocolClient dashboard =
        track(
            ProtocolClient.open(
                URI.create(
                    backend.wsUrl() + "/ws/dashboard?token=" + backend.config().dashboardToken())));
    dashboard.expect(MessageType.DASHBOARD_CONNECTED, WAIT);
    ProtocolClient lost = track(ProtocolClient.agent(agentUri, "lost"));
    assertThat(healthz()).isEqualTo(200);

    // Another process takes SQLite's write lock and keeps it.
    locker = DriverManager.getConnection("jdbc:sqlite:" + db);
    try (Statement s = locker.createStatement()) {
      s.execute("PRAGMA busy_timeout=0");
      s.execute("BEGIN EXCLUSIVE");
    }
    lost.getSocket().close(); // the agent's process dies

    await().atMost(WAIT).until(() -> core.lifecycle.storeFailing());
    assertThat(healthz()).as("/healthz while the store cannot be written").isEqualTo(503);
    assertThat(new String(core.metrics.scrape())).contains("store_writable 0.0");
    assertThat(core.registry.current("lost")).as("no session without a socket").isNull();

    ProtocolClient refused = track(ProtocolClient.open(agentUri));
    refused.send(ProtocolClient.agentConnect("newcomer"));
    assertThat(refused.awaitClose(WAIT))
        .as("close code for a new agent while the store fails")
        .isEqualTo(1013);
    assertThat(refused.closeInfo).contains("Store unavailable");
    assertThat(core.registry.current("newcomer")).isNull();

    locker.createStatement().execute("ROLLBACK");
    locker.close();
    locker = null;

    await()
        .atMost(WAIT)
        .until(
            () ->
                backend.agent("lost").map(AgentState::status).orElse(null) == AgentStatus.OFFLINE);
    assertThat(backend.agent("lost"))
        .get()
        .extracting(AgentState::disconnectReason)
        .isEqualTo("Connection closed (code 1006)");
    AgentStatusUpdate offline = null;
    while (offline == null || offline.status().value() != AgentStatus.OFFLINE) {
      offline = dashboard.expect(MessageType.AGENT_STATUS, WAIT).payload(AgentStatusUpdate.class);
    }
    assertThat(offline.agentId()).isEqualTo("lost");
    await().atMost(WAIT).until(() -> healthz() == 200);
    assertThat(core.ghostCount()).as("agent_ghost_count").isZero();
    track(ProtocolClient.agent(agentUri, "newcomer"));
    assertThat(backend.agent("newcomer"))
        .get()
        .extracting(AgentState::status)
        .isEqualTo(AgentStatus.ONLINE);
    assertThat(core.ghostCount()).as("agent_ghost_count").isZero();
  }
}
