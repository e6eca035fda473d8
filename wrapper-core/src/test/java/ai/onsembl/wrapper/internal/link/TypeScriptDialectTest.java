package ai.onsembl.wrapper.internal.link;

import static ai.onsembl.wrapper.testing.Quiet.assertNothingArrivesWithin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.protocol.AgentConnect;
import ai.onsembl.protocol.AgentType;
import ai.onsembl.protocol.Capabilities;
import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.HealthMetrics;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.protocol.Pong;
import ai.onsembl.protocol.fixtures.UpstreamFixtures;
import ai.onsembl.testing.ScriptedServer;
import ai.onsembl.wrapper.testing.RecordingHandler;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The link against frames captured from the TypeScript backend ({@link UpstreamFixtures}): its ACK
 * with a database UUID, its PING, its COMMAND_REQUEST carrying both {@code content} and {@code
 * command}, AGENT_CONTROL PAUSE and COMMAND_CANCEL.
 */
@Timeout(60)
class TypeScriptDialectTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private ScriptedServer server;
  private BackendLink link;

  @AfterEach
  void close() throws Exception {
    if (link != null) {
      link.shutdown();
    }
    server.close();
  }

  @Test
  void capturedTypeScriptFramesAreHandled() throws Exception {
    String ack = UpstreamFixtures.read("server-to-agent__ACK.json");
    server =
        new ScriptedServer()
            .typescript()
            .ackWith(connectId -> ack.replace("connect-1795834404797", connectId))
            .start();
    RecordingHandler handler = new RecordingHandler();
    BackendLinkTest.Recorder recorder = new BackendLinkTest.Recorder();
    link =
        new BackendLink(
            new LinkSettings(
                server.uri().resolve("/ws/agent"),
                "mock-mwztfqzs-fekousl1x",
                "jwt",
                Duration.ofMillis(200),
                Duration.ofMillis(50),
                Duration.ofMillis(200),
                Duration.ofSeconds(10),
                Duration.ofSeconds(5),
                null,
                1000,
                8L << 20),
            recorder,
            id ->
                new AgentConnect(
                    id,
                    null,
                    EnumValue.of(AgentType.CUSTOM),
                    "1.0.0",
                    "vm",
                    Capabilities.of(0, true, true)),
            () -> new HealthMetrics(0.0, 1.0, 1L, 0L, 0.0),
            new Random(3));
    link.setCommandHandler(handler);
    link.start();

    await().atMost(WAIT).until(link::isOnline);
    assertThat(link.agentId()).isEqualTo("bb4affa7-7764-49b8-aa0b-f6cb53a4c180");

    server.sendText(UpstreamFixtures.read("server-to-agent__PING.json"));
    Pong pong = (Pong) server.awaitFrame(MessageType.PONG, WAIT).payload();
    assertThat(pong.timestamp()).isEqualTo(1795834412385L);

    server.sendText(UpstreamFixtures.read("server-to-agent__COMMAND_REQUEST.json"));
    server.sendText(UpstreamFixtures.read("server-to-agent__AGENT_CONTROL.json"));
    server.sendText(UpstreamFixtures.read("server-to-agent__COMMAND_CANCEL.json"));
    await().atMost(WAIT).until(() -> handler.calls.size() == 3);
    assertThat(handler.calls)
        .containsExactly(
            "request f7f9238b-d2bb-4634-8587-273eef58a41e echo hello-from-dashboard",
            "pause",
            "cancel f7f9238b-d2bb-4634-8587-273eef58a41e");

    // The TypeScript backend answers AGENT_HEARTBEAT with ERROR UNKNOWN_MESSAGE_TYPE: heartbeats
    // stop.
    server.awaitFrame(MessageType.AGENT_HEARTBEAT, WAIT);
    // At most one more was on its way before the ERROR reached the link; then none for 5 intervals.
    assertNothingArrivesWithin(
        Duration.ofMillis(1000),
        "a third AGENT_HEARTBEAT after the TypeScript backend's ERROR",
        () -> server.frames(MessageType.AGENT_HEARTBEAT).size() > 2);
    assertThat(link.isOnline()).isTrue();
  }
}
