package ai.onsembl.backend;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.protocol.AgentStatus;
import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.protocol.StreamType;
import ai.onsembl.protocol.TerminalOutput;
import ai.onsembl.testing.ProtocolClient;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A dashboard that stops reading for good has its backlog replaced by a snapshot (bounded) and is
 * closed after the heartbeat timeout; agents and other dashboards never wait for it.
 */
@Timeout(90)
class FanOutTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int CHUNKS = 2000;

  /** Completes the WebSocket upgrade on a plain socket, then never reads again. */
  private static Socket stalledDashboard(int port, String token) throws Exception {
    Socket s = new Socket();
    s.setReceiveBufferSize(4096);
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    OutputStream out = s.getOutputStream();
    out.write(
        ("GET /ws/dashboard?token="
                + token
                + " HTTP/1.1\r\nHost: 127.0.0.1:"
                + port
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new AssertionError("upgrade refused: " + head);
      }
      head.append((char) b);
    }
    assertThat(head.toString()).startsWith("HTTP/1.1 101");
    return s;
  }

  @Test
  void stalledDashboardIsDroppedWhileAgentsAndOtherDashboardsGetEveryChunk() throws Exception {
    BackendConfig config =
        BackendConfig.defaults()
            .withPorts(0, 0)
            .withAgentToken("a")
            .withDashboardToken("d")
            .withRateLimits(100_000, 50)
            .withDashboardQueueLimit(4 * 1024 * 1024)
            .withHeartbeat(Duration.ofMillis(200), Duration.ofSeconds(5));
    try (ReferenceBackend backend = ReferenceBackend.start(config);
        Socket stalled = stalledDashboard(backend.wsPort(), "d")) {
      ProtocolClient reader =
          ProtocolClient.open(URI.create(backend.wsUrl() + "/ws/dashboard?token=d"));
      ProtocolClient agent =
          ProtocolClient.agent(URI.create(backend.wsUrl() + "/ws/agent?token=a"), "busy");
      ProtocolClient other =
          ProtocolClient.agent(URI.create(backend.wsUrl() + "/ws/agent?token=a"), "other");
      try {
        other.answerPings = true;
        reader.expect(MessageType.DASHBOARD_CONNECTED, WAIT);
        String chunk = "x".repeat(8_000) + "\n";
        for (int i = 1; i <= CHUNKS; i++) {
          agent.send(
              new TerminalOutput("busy", "busy", EnumValue.of(StreamType.STDOUT), chunk, i, null));
        }

        long streams = 0;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (streams < CHUNKS && System.nanoTime() < deadline) {
          if (reader.next(
                  MessageType.TERMINAL_STREAM, Duration.ofNanos(deadline - System.nanoTime()))
              != null) {
            streams++;
          }
        }
        assertThat(reader.closeCode).as("the reading dashboard was not dropped").isNotDone();
        assertThat(streams).as("chunks streamed to the reading dashboard").isEqualTo(CHUNKS);
        org.awaitility.Awaitility.await()
            .atMost(WAIT)
            .untilAsserted(
                () ->
                    assertThat(Http.get(backend.httpUrl(), "/metrics", "d").body())
                        .as("the stalled dashboard was dropped")
                        .contains("dashboard_connections 1.0")
                        .doesNotContain("dashboard_resync_total 0.0"));
        assertThat(backend.agent("other"))
            .get()
            .extracting(AgentState::status)
            .isEqualTo(AgentStatus.ONLINE);
        other.received.clear();
        other.expect(MessageType.PING, WAIT);
      } finally {
        reader.close();
        agent.close();
        other.close();
      }
    }
  }
}
