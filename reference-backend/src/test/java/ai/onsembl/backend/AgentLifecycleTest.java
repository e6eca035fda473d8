package ai.onsembl.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.backend.junit.ReferenceBackendTest;
import ai.onsembl.backend.junit.TestBackend;
import ai.onsembl.protocol.Ack;
import ai.onsembl.protocol.AgentConnected;
import ai.onsembl.protocol.AgentDisconnect;
import ai.onsembl.protocol.AgentStatus;
import ai.onsembl.protocol.AgentStatusUpdate;
import ai.onsembl.protocol.CommandRequest;
import ai.onsembl.protocol.CommandStatus;
import ai.onsembl.protocol.CommandStatusUpdate;
import ai.onsembl.protocol.DashboardConnected;
import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.protocol.ServerHeartbeat;
import ai.onsembl.protocol.fixtures.UpstreamFixtures;
import ai.onsembl.testing.ProtocolClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
@ReferenceBackendTest
class AgentLifecycleTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  static final String CLOSED_1000_OR_RESET = "Connection closed \\(code (1000|1006)\\)";
  private final List<ProtocolClient> clients = new ArrayList<>();

  @AfterEach
  void closeClients() {
    clients.forEach(ProtocolClient::close);
  }

  private ProtocolClient track(ProtocolClient c) {
    clients.add(c);
    return c;
  }

  @Test
  void connectIsAckedThenServerHeartbeatThenOnlineWithBroadcasts(TestBackend backend)
      throws Exception {
    ProtocolClient dashboard = track(ProtocolClient.open(backend.dashboardUri()));
    dashboard.expect(MessageType.DASHBOARD_CONNECTED, WAIT);
    ProtocolClient agent = track(ProtocolClient.open(backend.agentUri("a1")));
    Message hello = ProtocolClient.agentConnect("a1");
    agent.send(hello);

    Ack ack = agent.expect(MessageType.ACK, WAIT).payload(Ack.class);
    assertThat(ack.messageId()).isEqualTo(hello.id());
    assertThat(ack.success()).isTrue();
    assertThat(ack.agentId()).isEqualTo("a1");
    assertThat(ack.connectionId()).isNotBlank();
    Message next = agent.received.poll(5, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(next).as("frame right after the ACK").isNotNull();
    assertThat(next.type()).isEqualTo(MessageType.SERVER_HEARTBEAT);
    assertThat(next.payload(ServerHeartbeat.class).nextPingExpected()).isEqualTo(200L);

    backend.awaitAgentStatus("a1", AgentStatus.ONLINE, WAIT);
    assertThat(
            dashboard
                .expect(MessageType.AGENT_CONNECTED, WAIT)
                .payload(AgentConnected.class)
                .agentId())
        .isEqualTo("a1");
    AgentStatusUpdate online =
        dashboard.expect(MessageType.AGENT_STATUS, WAIT).payload(AgentStatusUpdate.class);
    assertThat(online.agentId()).isEqualTo("a1");
    assertThat(online.status().value()).isEqualTo(AgentStatus.ONLINE);
  }

  @Test
  // No PINGs while the test closes cleanly (see ProtocolClient.agent: unread frames at close turn
  // it into 1006).
  @ReferenceBackendTest(heartbeatIntervalMillis = 5000, heartbeatTimeoutMillis = 15000)
  void dashboardGetsSnapshotOfAllAgentsOnConnect(TestBackend backend) throws Exception {
    track(ProtocolClient.agent(backend.agentUri("online-1"), "online-1")).answerPings = true;
    ProtocolClient gone = ProtocolClient.agent(backend.agentUri("gone-1"), "gone-1");
    gone.closeBlocking();
    backend.awaitAgentStatus("gone-1", AgentStatus.OFFLINE, WAIT);

    ProtocolClient dashboard = track(ProtocolClient.open(backend.dashboardUri()));
    DashboardConnected snap =
        dashboard.expect(MessageType.DASHBOARD_CONNECTED, WAIT).payload(DashboardConnected.class);

    assertThat(snap.agents())
        .extracting(a -> a.agentId() + "=" + a.status().raw())
        .containsExactlyInAnyOrder("online-1=ONLINE", "gone-1=OFFLINE");
    assertThat(snap.agents())
        .filteredOn(a -> a.agentId().equals("gone-1"))
        .first()
        .satisfies(a -> assertThat(a.disconnectReason()).matches(CLOSED_1000_OR_RESET));
  }

  @Test
  void lateCloseOfReplacedSocketKeepsAgentOnline(TestBackend backend) throws Exception {
    ProtocolClient first = track(ProtocolClient.agent(backend.agentUri("r1"), "r1"));
    first.answerPings = true;
    ProtocolClient second = track(ProtocolClient.agent(backend.agentUri("r1"), "r1"));
    second.answerPings = true;

    assertThat(first.awaitClose(WAIT)).as("close code of the replaced socket").isEqualTo(4001);
    // The old socket's close has been handled by now (it is processed in order on the worker); to
    // be sure
    // the late close found nothing to do, wait past it and past a heartbeat timeout.
    await()
        .during(Duration.ofMillis(1500))
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(backend.backend().agent("r1"))
                    .get()
                    .extracting(AgentState::status)
                    .isEqualTo(AgentStatus.ONLINE));
    AgentState state = backend.awaitAgentStatus("r1", AgentStatus.ONLINE, WAIT);
    assertThat(state.disconnectReason()).isNull();
  }

  @Test
  // No PINGs while the test closes cleanly (see ProtocolClient.agent: unread frames at close turn
  // it into 1006).
  @ReferenceBackendTest(heartbeatIntervalMillis = 5000, heartbeatTimeoutMillis = 15000)
  void disconnectMarksOfflineWithReasonCancelsCommandsAndBroadcasts(TestBackend backend)
      throws Exception {
    ProtocolClient agent = track(ProtocolClient.agent(backend.agentUri("d1"), "d1"));
    agent.answerPings = true;
    ProtocolClient dashboard = track(ProtocolClient.open(backend.dashboardUri()));
    dashboard.expect(MessageType.DASHBOARD_CONNECTED, WAIT);
    dashboard.send(
        new CommandRequest("d1", "cmd-1", "sleep 100", null, null, null, null, null, null, null));
    assertThat(
            agent
                .expect(MessageType.COMMAND_REQUEST, WAIT)
                .payload(CommandRequest.class)
                .commandId())
        .isEqualTo("cmd-1");
    agent.send(
        new ai.onsembl.protocol.CommandAck(
            "cmd-1", "d1", EnumValue.of(CommandStatus.EXECUTING), null));
    awaitCommandStatus(dashboard, "cmd-1", CommandStatus.EXECUTING);

    agent.closeBlocking();

    AgentState offline = backend.awaitAgentStatus("d1", AgentStatus.OFFLINE, WAIT);
    // The backend records the code it saw: 1000 normally, 1006 in the runs where Java-WebSocket's
    // client
    // resets the TCP connection before the server has completed the close handshake.
    assertThat(offline.disconnectReason()).matches(CLOSED_1000_OR_RESET);
    assertThat(offline.lastSeen()).isNotNull();
    assertThat(
            dashboard
                .expect(MessageType.AGENT_DISCONNECT, WAIT)
                .payload(AgentDisconnect.class)
                .reason())
        .isEqualTo(offline.disconnectReason());
    AgentStatusUpdate status =
        dashboard.expect(MessageType.AGENT_STATUS, WAIT).payload(AgentStatusUpdate.class);
    assertThat(status.status().value()).isEqualTo(AgentStatus.OFFLINE);
    assertThat(status.reason()).isEqualTo(offline.disconnectReason());
    CommandStatusUpdate cancelled = awaitCommandStatus(dashboard, "cmd-1", CommandStatus.CANCELLED);
    assertThat(cancelled.error()).isEqualTo("Agent disconnected");
    Http.Reply cmd = Http.get(backend.httpUrl(), "/api/commands/cmd-1", backend.dashboardToken());
    assertThat(cmd.json().get("status").asText()).isEqualTo("CANCELLED");
    assertThat(cmd.json().get("error").asText()).isEqualTo("Agent disconnected");
    Http.Reply history =
        Http.get(backend.httpUrl(), "/api/agents/d1/history", backend.dashboardToken());
    assertThat(history.json().get("history").get(0).get("status").asText()).isEqualTo("OFFLINE");
  }

  @Test
  // No PINGs while the test closes cleanly (see ProtocolClient.agent: unread frames at close turn
  // it into 1006).
  @ReferenceBackendTest(heartbeatIntervalMillis = 5000, heartbeatTimeoutMillis = 15000)
  void agentsOwnGoodbyeReasonWinsOverTheCloseCode(TestBackend backend) throws Exception {
    ProtocolClient agent = track(ProtocolClient.agent(backend.agentUri("g1"), "g1"));
    agent.send(
        new AgentDisconnect("g1", "SIGTERM received", System.currentTimeMillis(), 143, true));
    agent.closeBlocking();

    assertThat(backend.awaitAgentStatus("g1", AgentStatus.OFFLINE, WAIT).disconnectReason())
        .isEqualTo("SIGTERM received");
  }

  @Test
  void silentAgentIsOfflineHeartbeatTimeoutWithinTimeoutPlusOneSecondAndClosed4000(
      TestBackend backend) throws Exception {
    ProtocolClient agent = track(ProtocolClient.agent(backend.agentUri("s1"), "s1"));
    // Sends nothing from now on: the last frame was AGENT_CONNECT.
    AgentState state =
        backend.awaitAgentStatus(
            "s1", AgentStatus.OFFLINE, backend.config().heartbeatTimeout().plusSeconds(1));

    assertThat(state.disconnectReason()).isEqualTo("Heartbeat timeout");
    assertThat(agent.awaitClose(WAIT)).isEqualTo(4000);
  }

  @Test
  void agentThatOnlyPongsStaysOnlineAcrossSeveralTimeouts(TestBackend backend) throws Exception {
    // The TypeScript wrapper: AGENT_CONNECT as captured, then nothing but PONGs.
    ProtocolClient agent = track(ProtocolClient.open(backend.agentUri("mock-mwztfqzs-fekousl1x")));
    agent.answerPings = true;
    agent.send(UpstreamFixtures.read("agent-to-server__AGENT_CONNECT.json"));
    agent.expect(MessageType.ACK, WAIT);

    List<Message> pings =
        agent.collect(MessageType.PING, backend.config().heartbeatTimeout().multipliedBy(5));

    assertThat(pings).as("PINGs over five timeouts").hasSizeGreaterThanOrEqualTo(5);
    assertThat(backend.backend().agent("mock-mwztfqzs-fekousl1x"))
        .get()
        .extracting(AgentState::status)
        .isEqualTo(AgentStatus.ONLINE);
    assertThat(agent.closeCode).isNotDone();
  }

  static CommandStatusUpdate awaitCommandStatus(
      ProtocolClient dashboard, String commandId, CommandStatus status)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    List<String> seen = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      Message m =
          dashboard.next(
              MessageType.COMMAND_STATUS, Duration.ofNanos(deadline - System.nanoTime()));
      if (m == null) {
        break;
      }
      CommandStatusUpdate u = m.payload(CommandStatusUpdate.class);
      seen.add(u.commandId() + "=" + u.status().raw());
      if (u.commandId().equals(commandId) && u.status().value() == status) {
        return u;
      }
    }
    throw new AssertionError(
        "Expected COMMAND_STATUS " + commandId + "=" + status + " but saw " + seen);
  }
}
