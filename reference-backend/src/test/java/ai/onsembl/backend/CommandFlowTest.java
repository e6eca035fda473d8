package ai.onsembl.backend;

import static ai.onsembl.backend.AgentLifecycleTest.awaitCommandStatus;
import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.backend.junit.ReferenceBackendTest;
import ai.onsembl.backend.junit.TestBackend;
import ai.onsembl.protocol.ActivityState;
import ai.onsembl.protocol.AgentControl;
import ai.onsembl.protocol.AgentStatusUpdate;
import ai.onsembl.protocol.CommandAck;
import ai.onsembl.protocol.CommandCancel;
import ai.onsembl.protocol.CommandComplete;
import ai.onsembl.protocol.CommandRequest;
import ai.onsembl.protocol.CommandStatus;
import ai.onsembl.protocol.ControlAction;
import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.ErrorCode;
import ai.onsembl.protocol.ErrorMessage;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.protocol.StreamType;
import ai.onsembl.protocol.TerminalOutput;
import ai.onsembl.protocol.TerminalStream;
import ai.onsembl.protocol.fixtures.UpstreamFixtures;
import ai.onsembl.testing.ProtocolClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
@ReferenceBackendTest(heartbeatIntervalMillis = 200, heartbeatTimeoutMillis = 2000)
class CommandFlowTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private final List<ProtocolClient> clients = new ArrayList<>();

  @AfterEach
  void closeClients() {
    clients.forEach(ProtocolClient::close);
  }

  private <T extends ProtocolClient> T track(T c) {
    clients.add(c);
    return c;
  }

  @Test
  void dashboardCommandRunsWithStatusFromTheAgentAndEachChunkStreamsExactlyOnce(TestBackend backend)
      throws Exception {
    ProtocolClient agent = track(ProtocolClient.agent(backend.agentUri("c1"), "c1"));
    agent.answerPings = true;
    ProtocolClient dashboard = track(ProtocolClient.open(backend.dashboardUri()));
    dashboard.expect(MessageType.DASHBOARD_CONNECTED, WAIT);
    ProtocolClient watcher = track(ProtocolClient.open(backend.dashboardUri()));
    watcher.expect(MessageType.DASHBOARD_CONNECTED, WAIT);

    // As captured from the TypeScript dashboard: "command", not "content".
    dashboard.send(
        UpstreamFixtures.read("dashboard-to-server__COMMAND_REQUEST.json")
            .replace("aed0ba25-e233-4a57-a900-8c52c8023be8", "c1"));
    CommandRequest req =
        agent.expect(MessageType.COMMAND_REQUEST, WAIT).payload(CommandRequest.class);
    String id = req.commandId();
    assertThat(id).isEqualTo("f7f9238b-d2bb-4634-8587-273eef58a41e");
    assertThat(req.content()).isEqualTo("echo hello-from-dashboard");
    assertThat(req.command())
        .as("both fields, for the TypeScript wrapper")
        .isEqualTo("echo hello-from-dashboard");
    awaitCommandStatus(dashboard, id, CommandStatus.PENDING);
    dashboard.expect(MessageType.ACK, WAIT);

    agent.send(new CommandAck(id, "c1", EnumValue.of(CommandStatus.RECEIVED), null));
    awaitCommandStatus(dashboard, id, CommandStatus.QUEUED);
    agent.send(new CommandAck(id, "c1", EnumValue.of(CommandStatus.EXECUTING), null));
    awaitCommandStatus(dashboard, id, CommandStatus.EXECUTING);

    agent.send(new TerminalOutput(id, "c1", EnumValue.of(StreamType.STDOUT), "hello\n", 1, null));
    agent.send(new TerminalOutput(id, "c1", EnumValue.of(StreamType.STDERR), "warn\n", 2, null));
    agent.send(
        new TerminalOutput(
            id, "c1", EnumValue.of(StreamType.STDERR), "warn\n", 2, null)); // replayed
    agent.send(
        new CommandComplete(
            id, "c1", EnumValue.of(CommandStatus.COMPLETED), null, 12L, 0L, 0, null));
    awaitCommandStatus(dashboard, id, CommandStatus.COMPLETED);

    List<Message> seen = watcher.drain(Duration.ofMillis(500));
    assertThat(seen)
        .filteredOn(m -> m.type() == MessageType.AGENT_STATUS)
        .extracting(m -> m.payload(AgentStatusUpdate.class).activityState().value())
        .as("activity: PROCESSING while executing, IDLE after")
        .containsExactly(ActivityState.PROCESSING, ActivityState.IDLE);
    List<Message> streams =
        seen.stream().filter(m -> m.type() == MessageType.TERMINAL_STREAM).toList();
    assertThat(streams)
        .extracting(m -> m.payload(TerminalStream.class).sequence())
        .containsExactly(1L, 2L);
    JsonNode cmd =
        Http.get(backend.httpUrl(), "/api/commands/" + id, backend.dashboardToken()).json();
    assertThat(cmd.get("status").asText()).isEqualTo("COMPLETED");
    assertThat(cmd.get("exitCode").asInt()).isZero();
    assertThat(cmd.get("output"))
        .extracting(o -> o.get("sequence").asLong() + ":" + o.get("content").asText())
        .containsExactly("1:hello\n", "2:warn\n");
  }

  @Test
  void terminalStreamReachesDashboardsOncePerChunk(TestBackend backend) throws Exception {
    ProtocolClient agent = track(ProtocolClient.agent(backend.agentUri("t1"), "t1"));
    ProtocolClient dashboard = track(ProtocolClient.open(backend.dashboardUri()));
    dashboard.expect(MessageType.DASHBOARD_CONNECTED, WAIT);
    // Session output as the TypeScript wrapper sends it: commandId == agentId.
    String fixture =
        UpstreamFixtures.read("agent-to-server__TERMINAL_OUTPUT.json")
            .replace("bb4affa7-7764-49b8-aa0b-f6cb53a4c180", "t1");
    agent.send(fixture);
    agent.send(fixture);
    agent.send(
        new TerminalOutput("t1", "t1", EnumValue.of(StreamType.STDOUT), "second\n", 2, null));

    List<Message> streams = dashboard.collect(MessageType.TERMINAL_STREAM, Duration.ofMillis(800));
    assertThat(streams)
        .extracting(m -> m.payload(TerminalStream.class).sequence())
        .containsExactly(1L, 2L);
    assertThat(streams.get(0).payload(TerminalStream.class).content())
        .isEqualTo("Mock agent running...\n");
    JsonNode session =
        Http.get(backend.httpUrl(), "/api/commands/t1", backend.dashboardToken()).json();
    assertThat(session.get("status").asText()).isEqualTo("SESSION");
    assertThat(session.get("output")).hasSize(2);
  }

  @Test
  void cancelAndControlFromADashboardReachTheAgent(TestBackend backend) throws Exception {
    ProtocolClient agent = track(ProtocolClient.agent(backend.agentUri("k1"), "k1"));
    ProtocolClient dashboard = track(ProtocolClient.open(backend.dashboardUri()));
    dashboard.expect(MessageType.DASHBOARD_CONNECTED, WAIT);
    dashboard.send(
        new CommandRequest("k1", "cmd-k", "sleep 100", null, null, null, null, null, null, null));
    agent.expect(MessageType.COMMAND_REQUEST, WAIT);

    dashboard.send(new CommandCancel("k1", "cmd-k", "probe cancel", null));
    CommandCancel cancel =
        agent.expect(MessageType.COMMAND_CANCEL, WAIT).payload(CommandCancel.class);
    assertThat(cancel.commandId()).isEqualTo("cmd-k");
    agent.send(
        new CommandComplete(
            "cmd-k", "k1", EnumValue.of(CommandStatus.CANCELLED), "cancelled", 5L, 0L, null, null));
    awaitCommandStatus(dashboard, "cmd-k", CommandStatus.CANCELLED);

    dashboard.send(
        UpstreamFixtures.read("dashboard-to-server__AGENT_CONTROL.json")
            .replace("aed0ba25-e233-4a57-a900-8c52c8023be8", "k1"));
    AgentControl control =
        agent.expect(MessageType.AGENT_CONTROL, WAIT).payload(AgentControl.class);
    assertThat(control.action().value()).isEqualTo(ControlAction.PAUSE);
  }

  @Test
  void commandForAnOfflineOrUnknownAgentIsRefusedWithAClearError(TestBackend backend)
      throws Exception {
    ProtocolClient gone = ProtocolClient.agent(backend.agentUri("off1"), "off1");
    gone.closeBlocking();
    backend.awaitAgentStatus("off1", ai.onsembl.protocol.AgentStatus.OFFLINE, WAIT);
    ProtocolClient dashboard = track(ProtocolClient.open(backend.dashboardUri()));
    dashboard.expect(MessageType.DASHBOARD_CONNECTED, WAIT);

    dashboard.send(
        new CommandRequest("off1", null, "ls", null, null, null, null, null, null, null));
    ErrorMessage offline = dashboard.expect(MessageType.ERROR, WAIT).payload(ErrorMessage.class);
    assertThat(offline.code().value()).isEqualTo(ErrorCode.AGENT_OFFLINE);
    assertThat(offline.message()).isEqualTo("agent off1 is OFFLINE");
    dashboard.send(
        new CommandRequest("nobody", null, "ls", null, null, null, null, null, null, null));
    assertThat(dashboard.expect(MessageType.ERROR, WAIT).payload(ErrorMessage.class).code().value())
        .isEqualTo(ErrorCode.AGENT_NOT_FOUND);

    Http.Reply rest =
        Http.post(
            backend.httpUrl(),
            "/api/agents/off1/commands",
            backend.dashboardToken(),
            "{\"content\":\"ls\"}");
    assertThat(rest.status()).isEqualTo(409);
    assertThat(rest.json().get("code").asText()).isEqualTo("AGENT_OFFLINE");
    assertThat(rest.json().get("message").asText()).isEqualTo("agent off1 is OFFLINE");
    assertThat(
            Http.get(backend.httpUrl(), "/api/commands?agentId=off1", backend.dashboardToken())
                .json()
                .get("commands"))
        .isEmpty();
  }
}
