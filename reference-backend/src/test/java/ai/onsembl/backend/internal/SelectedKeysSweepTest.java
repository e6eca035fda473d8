package ai.onsembl.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.backend.BackendConfig;
import ai.onsembl.backend.ReferenceBackend;
import ai.onsembl.testing.ProtocolClient;
import java.net.URI;
import java.nio.channels.Selector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.java_websocket.WebSocketImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connections that were written to do not pile up in the selector's selected-key set, where
 * Java-WebSocket would visit each of them again in every round.
 */
@Timeout(120)
class SelectedKeysSweepTest {
  private static final int AGENTS = 150;

  private ReferenceBackend backend;
  private final List<ProtocolClient> agents = new ArrayList<>();

  @TempDir Path tmp;

  @AfterEach
  void stop() {
    agents.forEach(ProtocolClient::close);
    if (backend != null) {
      backend.close();
    }
  }

  @Test
  void theSelectedKeySetHoldsOnlyWhatIsReadyNotEveryConnectionWrittenTo() throws Exception {
    backend =
        ReferenceBackend.start(
            BackendConfig.forTests()
                .withHeartbeat(Duration.ofSeconds(60), Duration.ofSeconds(180))
                .withDatabasePath(tmp.resolve("sweep.db").toString()));
    BackendCore core = BackendAccess.bridge().core(backend);
    URI uri = URI.create(backend.wsUrl() + "/ws/agent?token=" + backend.config().agentToken());
    for (int i = 0; i < AGENTS; i++) {
      // Each gets the 101, then AGENT_CONNECT's ACK and a SERVER_HEARTBEAT: writes only.
      agents.add(ProtocolClient.agent(uri, "sweep-" + i));
    }
    Selector selector = ((WebSocketImpl) core.agentSocket("sweep-0")).getSelectionKey().selector();
    // Without the sweep every one of the agents' keys stays selected, ready for a write that has
    // nothing to send (one read with data per agent came after the previous agent's writes).
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(selector.selectedKeys().size())
                    .as("keys left in the selected set")
                    .isLessThan(10));
  }
}
