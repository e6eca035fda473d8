package ai.onsembl.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.protocol.fixtures.UpstreamFixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class GoldenFixturesTest {
  private static final ProtocolCodec CODEC = ProtocolCodec.standard();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Our own frames, for the message types the upstream capture does not show. */
  private static final String OURS = "fixtures";

  static Stream<String> upstream() {
    return UpstreamFixtures.list().stream();
  }

  static Stream<String> ours() {
    return UpstreamFixtures.list(OURS).stream();
  }

  /** Frames of the Onsembl web frontend's own client (see the README in that folder). */
  private static final String FRONTEND = "upstream-frontend";

  static Stream<String> frontend() {
    return UpstreamFixtures.list(FRONTEND).stream();
  }

  @Test
  void frontendFixturesArePresent() {
    assertThat(UpstreamFixtures.list(FRONTEND))
        .containsExactly(
            "frontend-to-server__DASHBOARD_INIT.json",
            "frontend-to-server__PING.json",
            "server-to-frontend__PONG.json");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("frontend")
  void frontendFrameDecodesToItsRecordAndEncodesBackEqual(String name) throws Exception {
    assertRoundTrip(name, UpstreamFixtures.read(FRONTEND, name));
  }

  @Test
  void frontendDialectDetailsAreTyped() throws Exception {
    DashboardInit init =
        CODEC
            .decode(UpstreamFixtures.read(FRONTEND, "frontend-to-server__DASHBOARD_INIT.json"))
            .payload(DashboardInit.class);
    assertThat(init.subscriptions().agents()).isEqualTo(Selection.allObject());
    assertThat(init.subscriptions().commands().coversAll()).isTrue();
    assertThat(init.subscriptions().coversAgent("any-agent")).isTrue();
    assertThat(init.subscriptions().terminals()).isTrue();
    assertThat(init.subscriptions().traces()).isTrue();

    Ping ping =
        CODEC
            .decode(UpstreamFixtures.read(FRONTEND, "frontend-to-server__PING.json"))
            .payload(Ping.class);
    assertThat(ping).isEqualTo(new Ping(1796286345280L, 7L));
    Pong pong =
        CODEC
            .decode(UpstreamFixtures.read(FRONTEND, "server-to-frontend__PONG.json"))
            .payload(Pong.class);
    assertThat(pong).isEqualTo(new Pong(1796286345280L, 3L, null));
    assertThat(Pong.answering(ping, 1796286345283L)).isEqualTo(new Pong(1796286345280L, 3L, 7L));
  }

  @Test
  void upstreamFixturesArePresent() {
    assertThat(UpstreamFixtures.list()).hasSizeGreaterThanOrEqualTo(20);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("upstream")
  void upstreamFrameDecodesToItsRecordAndEncodesBackEqual(String name) throws Exception {
    assertRoundTrip(name, UpstreamFixtures.read(name));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ours")
  void ownFrameDecodesToItsRecordAndEncodesBackEqual(String name) throws Exception {
    assertRoundTrip(name, UpstreamFixtures.read(OURS, name));
  }

  @Test
  void everyMessageTypeHasAFixture() throws Exception {
    Set<MessageType> seen = EnumSet.noneOf(MessageType.class);
    for (String name : upstream().toList()) {
      seen.add(CODEC.decode(UpstreamFixtures.read(name)).type());
    }
    for (String name : ours().toList()) {
      seen.add(CODEC.decode(UpstreamFixtures.read(OURS, name)).type());
    }
    assertThat(EnumSet.complementOf(EnumSet.copyOf(seen))).isEmpty();
  }

  private static void assertRoundTrip(String name, String original) throws Exception {
    Message m = CODEC.decode(original);
    String expectedType = name.replaceAll("^[a-z-]+__", "").replaceAll("\\..*$", "");
    assertThat(m.type().name()).isEqualTo(expectedType);
    assertThat(m.payload()).isInstanceOf(m.type().payloadType());
    JsonNode want = withoutNulls(JSON.readTree(original));
    JsonNode got = JSON.readTree(CODEC.encode(m));
    assertThat(got).as("re-encoded %s", name).isEqualTo(want);
    // decoding what we encoded gives the same record
    assertThat(CODEC.decode(CODEC.encode(m))).isEqualTo(m);
  }

  /** JSON null and an absent field mean the same on this wire; the encoder leaves nulls out. */
  private static JsonNode withoutNulls(JsonNode n) {
    if (n instanceof ObjectNode o) {
      List<String> drop = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getValue().isNull()) {
          drop.add(e.getKey());
        } else {
          withoutNulls(e.getValue());
        }
      }
      o.remove(drop);
    } else if (n instanceof ArrayNode a) {
      a.forEach(GoldenFixturesTest::withoutNulls);
    }
    return n;
  }

  @Test
  void typeScriptDialectDetailsAreTyped() throws Exception {
    AgentStatusUpdate status =
        CODEC
            .decode(UpstreamFixtures.read("server-to-dashboard__AGENT_STATUS.json"))
            .payload(AgentStatusUpdate.class);
    assertThat(status.status().value()).isEqualTo(AgentStatus.UNKNOWN);
    assertThat(status.status().raw()).isEqualTo("disconnected");
    assertThat(status.queuedCommands()).isZero();

    DashboardConnected snap =
        CODEC
            .decode(UpstreamFixtures.read("server-to-dashboard__DASHBOARD_CONNECTED.json"))
            .payload(DashboardConnected.class);
    assertThat(snap.agents()).hasSize(1);
    assertThat(snap.agents().get(0).capabilities().names())
        .containsExactly("basic", "interrupt", "trace");
    assertThat(snap.agents().get(0).status().raw()).isEqualTo("DISCONNECTED");

    CommandRequest req =
        CODEC
            .decode(UpstreamFixtures.read("server-to-agent__COMMAND_REQUEST.json"))
            .payload(CommandRequest.class);
    assertThat(req.text()).isEqualTo("echo hello-from-dashboard");
    assertThat(req.executionConstraints().timeLimitMs()).isEqualTo(300_000L);
    assertThat(req.commandType().value()).isEqualTo(CommandType.NATURAL);

    Ack ack = CODEC.decode(UpstreamFixtures.read("server-to-agent__ACK.json")).payload(Ack.class);
    assertThat(ack.agentId()).isEqualTo("bb4affa7-7764-49b8-aa0b-f6cb53a4c180");
    assertThat(ack.messageId()).isEqualTo("connect-1795834404797");

    AgentConnect connect =
        CODEC
            .decode(UpstreamFixtures.read("agent-to-server__AGENT_CONNECT.json"))
            .payload(AgentConnect.class);
    assertThat(connect.agentType().value()).isEqualTo(AgentType.CUSTOM);
    assertThat(connect.capabilities().supportsInterrupt()).isTrue();

    TerminalStream stream =
        CODEC
            .decode(UpstreamFixtures.read("server-to-dashboard__TERMINAL_STREAM.json"))
            .payload(TerminalStream.class);
    assertThat(stream.sequence()).isNull();
    assertThat(stream.commandId()).startsWith("agent-session-");
  }
}
