package ai.onsembl.backend.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onsembl.backend.AgentState;
import ai.onsembl.protocol.AgentConnect;
import ai.onsembl.protocol.AgentStatus;
import ai.onsembl.protocol.AgentType;
import ai.onsembl.protocol.Capabilities;
import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.protocol.ProtocolCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The extension as another project would use it, with the JDK's own WebSocket client. */
@Timeout(60)
@ReferenceBackendTest
class ReferenceBackendExtensionTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private TestBackend fromBeforeEach;

  @BeforeEach
  void setUp(TestBackend backend) {
    fromBeforeEach = backend;
  }

  /** A minimal agent on java.net.http: collects text frames, remembers the close code. */
  static final class JdkAgent implements WebSocket.Listener {
    final BlockingQueue<Message> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    WebSocket socket;

    static JdkAgent connect(URI uri, String agentId) throws Exception {
      JdkAgent a = new JdkAgent();
      a.socket =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .buildAsync(uri, a)
              .get(5, TimeUnit.SECONDS);
      a.send(
          Message.of(
              new AgentConnect(
                  agentId,
                  null,
                  EnumValue.of(AgentType.CLAUDE),
                  "2.0.0",
                  "host",
                  Capabilities.of(1, true, false))));
      return a;
    }

    void send(Message m) throws Exception {
      socket.sendText(ProtocolCodec.standard().encode(m), true).get(5, TimeUnit.SECONDS);
    }

    Message next(MessageType type) throws Exception {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (System.nanoTime() < deadline) {
        Message m = frames.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (m != null && m.type() == type) {
          return m;
        }
      }
      throw new AssertionError("Expected " + type + " within " + WAIT.toMillis() + " ms");
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          frames.add(ProtocolCodec.standard().decode(partial.toString()));
        } catch (Exception e) {
          throw new AssertionError(e);
        }
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.complete(1006);
    }
  }

  @Test
  void injectsTheSameStartedBackendIntoBeforeEachAndTheTest(TestBackend backend) {
    assertThat(backend).isSameAs(fromBeforeEach);
    assertThat(backend.wsPort()).isPositive();
    assertThat(backend.httpPort()).isPositive().isNotEqualTo(backend.wsPort());
    assertThat(backend.databaseFile()).isNull();
    assertThat(backend.config().heartbeatInterval()).isEqualTo(Duration.ofMillis(200));
    assertThat(backend.config().heartbeatTimeout()).isEqualTo(Duration.ofMillis(1000));
  }

  @Test
  void recordsAgentFramesWithConnectionIndexAndSequenceAndReturnsNullOnTimeout(TestBackend backend)
      throws Exception {
    JdkAgent a = JdkAgent.connect(backend.agentUri("x1"), "x1");
    a.next(MessageType.ACK);
    a.socket.sendText("{broken", true).get(5, TimeUnit.SECONDS);

    RecordedFrame first = backend.takeFrame(WAIT);
    assertThat(first.type()).isEqualTo(MessageType.AGENT_CONNECT);
    assertThat(first.connectionIndex()).isZero();
    assertThat(first.sequence()).isZero();
    RecordedFrame second = backend.takeFrame(WAIT);
    assertThat(second.message()).as("refused by the codec").isNull();
    assertThat(second.text()).isEqualTo("{broken");
    assertThat(second.sequence()).isEqualTo(1);
    assertThat(second.agentId()).isEqualTo("x1");
    assertThat(backend.takeFrame(MessageType.COMMAND_COMPLETE, Duration.ofMillis(200))).isNull();
    a.socket.abort();
  }

  @Test
  void awaitAgentStatusFailsWithWhatItWasInstead(TestBackend backend) throws Exception {
    JdkAgent.connect(backend.agentUri("x2"), "x2").next(MessageType.ACK);
    backend.awaitAgentStatus("x2", AgentStatus.ONLINE, WAIT);
    assertThatThrownBy(
            () -> backend.awaitAgentStatus("never", AgentStatus.ONLINE, Duration.ofMillis(100)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("has never seen it");
  }

  @Test
  void dropConnectionMarksTheAgentOfflineLikeACrash(TestBackend backend) throws Exception {
    JdkAgent a = JdkAgent.connect(backend.agentUri("x3"), "x3");
    a.next(MessageType.ACK);
    backend.apply(new ServerEffect.DropConnection("x3"));

    AgentState s = backend.awaitAgentStatus("x3", AgentStatus.OFFLINE, WAIT);
    assertThat(s.disconnectReason()).isEqualTo("Connection closed (code 1006)");
    a.socket.abort();
  }

  @Test
  void closeWithSendsTheCode(TestBackend backend) throws Exception {
    JdkAgent a = JdkAgent.connect(backend.agentUri("x4"), "x4");
    a.next(MessageType.ACK);
    backend.apply(new ServerEffect.CloseWith("x4", 1011, "test"));
    assertThat(a.closed.get(5, TimeUnit.SECONDS)).isEqualTo(1011);
  }

  @Test
  void stopAnsweringSilencesPingsAndDelayAcksDelaysTheConnectAck(TestBackend backend)
      throws Exception {
    backend.apply(new ServerEffect.StopAnswering("x5"));
    JdkAgent a = JdkAgent.connect(backend.agentUri("x5"), "x5");
    assertThat(a.frames.poll(400, TimeUnit.MILLISECONDS))
        .as("nothing, not even ACK or PING")
        .isNull();
    backend.apply(new ServerEffect.Resume("x5"));
    backend.apply(new ServerEffect.DelayAcks(Duration.ofMillis(300)));
    long start = System.nanoTime();
    JdkAgent b = JdkAgent.connect(backend.agentUri("x6"), "x6");
    b.next(MessageType.ACK);
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(300));
    a.socket.abort();
    b.socket.abort();
  }

  @Test
  void restartNeedsAFileDatabase(TestBackend backend) {
    assertThatThrownBy(backend::restart)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("fileDatabase = true");
  }

  @Test
  @ReferenceBackendTest(
      fileDatabase = true,
      heartbeatIntervalMillis = 100,
      heartbeatTimeoutMillis = 500)
  void restartKeepsTheDatabaseAndThePorts(TestBackend backend) throws Exception {
    assertThat(backend.databaseFile()).exists();
    assertThat(backend.config().heartbeatTimeout()).isEqualTo(Duration.ofMillis(500));
    JdkAgent a = JdkAgent.connect(backend.agentUri("x7"), "x7");
    a.next(MessageType.ACK);
    int ws = backend.wsPort();

    backend.restart();

    assertThat(backend.wsPort()).isEqualTo(ws);
    assertThat(a.closed.get(5, TimeUnit.SECONDS)).isEqualTo(1001);
    assertThat(backend.awaitAgentStatus("x7", AgentStatus.OFFLINE, WAIT).disconnectReason())
        .isEqualTo("Server stopped");
    JdkAgent again = JdkAgent.connect(backend.agentUri("x7"), "x7");
    again.next(MessageType.ACK);
    backend.awaitAgentStatus("x7", AgentStatus.ONLINE, WAIT);
    again.socket.abort();
  }
}
