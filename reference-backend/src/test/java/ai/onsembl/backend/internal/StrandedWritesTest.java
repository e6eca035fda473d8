package ai.onsembl.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.backend.BackendConfig;
import ai.onsembl.backend.ReferenceBackend;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.protocol.Ping;
import ai.onsembl.protocol.ProtocolCodec;
import ai.onsembl.testing.ProtocolClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.file.Path;
import java.time.Duration;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.drafts.Draft;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A frame left in a connection's queue without write interest (the state Java-WebSocket's lost
 * wake-up leaves behind) is sent within the resume interval, not at the connection's next send.
 */
@Timeout(60)
class StrandedWritesTest {
  private ReferenceBackend backend;
  private ProtocolClient agent;

  @TempDir Path tmp;

  @AfterEach
  void stop() {
    if (agent != null) {
      agent.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  @Test
  void aQueuedFrameWithoutWriteInterestIsSentWithinTheResumeInterval() throws Exception {
    // PINGs every 60 s: nothing else would carry the stranded frame out during this test.
    backend =
        ReferenceBackend.start(
            BackendConfig.forTests()
                .withHeartbeat(Duration.ofSeconds(60), Duration.ofSeconds(180))
                .withDatabasePath(tmp.resolve("stranded.db").toString()));
    BackendCore core = BackendAccess.bridge().core(backend);
    agent =
        ProtocolClient.agent(
            URI.create(backend.wsUrl() + "/ws/agent?token=" + backend.config().agentToken()),
            "stranded");
    WebSocketImpl impl = (WebSocketImpl) core.agentSocket("stranded");
    SelectionKey key = impl.getSelectionKey();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> impl.outQueue.isEmpty() && (key.interestOps() & SelectionKey.OP_WRITE) == 0);

    // What the selector leaves when it overwrites a concurrent request for OP_WRITE: a frame
    // queued,
    // the key asking only for OP_READ.
    Draft draft = impl.getDraft();
    String text = ProtocolCodec.standard().encode(Message.of(new Ping(4242L)));
    ByteBuffer frame = draft.createBinaryFrame(draft.createFrames(text, false).get(0));
    impl.outQueue.put(frame);

    // The next PING is 60 s away: only the sweep can send it within 5 s.
    Message m = agent.next(MessageType.PING, Duration.ofSeconds(5));
    assertThat(m).as("the stranded PING reached the agent").isNotNull();
    assertThat(m.payload(Ping.class).timestamp()).isEqualTo(4242L);
    HttpResponse<String> metrics =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(backend.httpUrl() + "/metrics"))
                    .header("Authorization", "Bearer " + backend.config().dashboardToken())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.body()).containsPattern("(?m)^websocket_writes_resumed_total [1-9]");
  }
}
