package ai.onsembl.backend;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.backend.junit.ReferenceBackendTest;
import ai.onsembl.backend.junit.TestBackend;
import ai.onsembl.protocol.AgentStatus;
import ai.onsembl.protocol.DashboardInit;
import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.ErrorCode;
import ai.onsembl.protocol.ErrorMessage;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.protocol.StreamType;
import ai.onsembl.protocol.TerminalOutput;
import ai.onsembl.testing.ProtocolClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
@ReferenceBackendTest(heartbeatIntervalMillis = 200, heartbeatTimeoutMillis = 2000)
class BadInputTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private final List<ProtocolClient> clients = new ArrayList<>();

  @AfterEach
  void closeClients() {
    clients.forEach(ProtocolClient::close);
  }

  private ProtocolClient agent(TestBackend b, String id) throws InterruptedException {
    ProtocolClient c = ProtocolClient.agent(b.agentUri(id), id);
    c.answerPings = true;
    clients.add(c);
    return c;
  }

  private static ErrorCode errorCode(ProtocolClient c) throws InterruptedException {
    return c.expect(MessageType.ERROR, WAIT).payload(ErrorMessage.class).code().value();
  }

  @Test
  void malformedJsonGetsInvalidMessageAndTheConnectionStaysUsable(TestBackend backend)
      throws Exception {
    ProtocolClient c = agent(backend, "m1");
    c.send("{not json");
    assertThat(errorCode(c)).isEqualTo(ErrorCode.INVALID_MESSAGE);
    c.send(
        "{\"type\":\"PONG\",\"id\":\"x\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"payload\":{}}");
    assertThat(errorCode(c)).isEqualTo(ErrorCode.INVALID_MESSAGE);

    c.send(
        new TerminalOutput("m1", "m1", EnumValue.of(StreamType.STDOUT), "still here\n", 1, null));
    assertThat(c.closeCode).isNotDone();
    backend.awaitAgentStatus("m1", AgentStatus.ONLINE, WAIT);
  }

  @Test
  void unknownTypeGetsUnknownMessageTypeAndStaysOpen(TestBackend backend) throws Exception {
    ProtocolClient c = agent(backend, "u1");
    c.send("{\"type\":\"TELEPORT\",\"id\":\"t1\",\"timestamp\":1,\"payload\":{}}");
    ErrorMessage err = c.expect(MessageType.ERROR, WAIT).payload(ErrorMessage.class);
    assertThat(err.code().value()).isEqualTo(ErrorCode.UNKNOWN_MESSAGE_TYPE);
    assertThat(err.messageId()).isEqualTo("t1");
    c.expect(MessageType.PING, WAIT);
    assertThat(c.isOpen()).isTrue();
  }

  @Test
  void oversizedFrameGetsResourceExhaustedThenClose1009(TestBackend backend) throws Exception {
    ProtocolClient big = agent(backend, "big");
    ProtocolClient other = agent(backend, "other");
    big.send(
        "{\"type\":\"PONG\",\"id\":\"x\",\"timestamp\":1,\"payload\":{\"pad\":\""
            + "x".repeat(2 * 1024 * 1024)
            + "\"}}");

    assertThat(errorCode(big)).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED);
    assertThat(big.awaitClose(WAIT)).isEqualTo(1009);
    other.expect(MessageType.PING, WAIT);
    assertThat(backend.backend().agent("other"))
        .get()
        .extracting(AgentState::status)
        .isEqualTo(AgentStatus.ONLINE);
  }

  @Test
  void frameClaimingAnotherAgentIsRefusedClosedAndNotStored(TestBackend backend) throws Exception {
    ProtocolClient victim = agent(backend, "victim");
    ProtocolClient spoofer = agent(backend, "spoofer");
    spoofer.send(
        new TerminalOutput("victim", "victim", EnumValue.of(StreamType.STDOUT), "evil\n", 1, null));

    assertThat(errorCode(spoofer)).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(spoofer.awaitClose(WAIT)).isEqualTo(1008);
    Http.Reply out = Http.get(backend.httpUrl(), "/api/commands/victim", backend.dashboardToken());
    assertThat(out.json().get("output")).isEmpty();
    victim.expect(MessageType.PING, WAIT);
    assertThat(victim.isOpen()).isTrue();
  }

  @Test
  void completingAnotherAgentsCommandIsRefusedAndChangesNothing(TestBackend backend)
      throws Exception {
    ProtocolClient owner = agent(backend, "owner");
    ProtocolClient thief = agent(backend, "thief");
    Http.Reply posted =
        Http.post(
            backend.httpUrl(),
            "/api/agents/owner/commands",
            backend.dashboardToken(),
            "{\"content\":\"make\"}");
    String id = posted.json().get("commandId").asText();
    owner.expect(MessageType.COMMAND_REQUEST, WAIT);

    thief.send(
        new ai.onsembl.protocol.CommandComplete(
            id,
            "thief",
            EnumValue.of(ai.onsembl.protocol.CommandStatus.COMPLETED),
            null,
            1L,
            0L,
            0,
            null));

    assertThat(errorCode(thief)).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(thief.awaitClose(WAIT)).isEqualTo(1008);
    assertThat(
            Http.get(backend.httpUrl(), "/api/commands/" + id, backend.dashboardToken())
                .json()
                .get("status")
                .asText())
        .isEqualTo("PENDING");
  }

  @Test
  void unknownEndpointIsRefusedAndClosed(TestBackend backend) throws Exception {
    ProtocolClient c =
        new ProtocolClient(
            java.net.URI.create(backend.wsUrl() + "/ws/other?token=" + backend.agentToken()));
    clients.add(c);
    c.connectBlocking(5, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(errorCode(c)).isEqualTo(ErrorCode.INVALID_MESSAGE);
    assertThat(c.awaitClose(WAIT)).isEqualTo(1008);
  }

  @Test
  void dashboardMessageOnTheAgentEndpointGetsInvalidMessageType(TestBackend backend)
      throws Exception {
    ProtocolClient c = agent(backend, "dm1");
    c.send(new DashboardInit("u", null));
    assertThat(errorCode(c)).isEqualTo(ErrorCode.INVALID_MESSAGE_TYPE);
    assertThat(c.isOpen()).isTrue();
  }

  @Test
  void floodPastTheRateLimitIsClosed4429WhileAnotherAgentKeepsWorking(TestBackend backend)
      throws Exception {
    ProtocolClient flooder = agent(backend, "flood");
    ProtocolClient calm = agent(backend, "calm");
    // Past the 1,000-frame replay burst and the 100/s rate.
    for (int i = 0;
        i < 5000
            && flooder.isOpen()
            && flooder.received.stream().noneMatch(m -> m.toString().contains("RATE_LIMITED"));
        i++) {
      flooder.send("{\"type\":\"NOISE\",\"id\":\"n" + i + "\",\"timestamp\":1,\"payload\":{}}");
    }

    assertThat(flooder.awaitClose(WAIT)).isEqualTo(4429);
    assertThat(flooder.received)
        .filteredOn(m -> m.type() == MessageType.ERROR)
        .extracting(m -> m.payload(ErrorMessage.class).code().value())
        .contains(ErrorCode.UNKNOWN_MESSAGE_TYPE)
        .last()
        .isEqualTo(ErrorCode.RATE_LIMITED);
    backend.awaitAgentStatus("flood", AgentStatus.OFFLINE, WAIT);
    calm.received.clear();
    calm.expect(MessageType.PING, WAIT);
    assertThat(backend.backend().agent("calm"))
        .get()
        .extracting(AgentState::status)
        .isEqualTo(AgentStatus.ONLINE);
  }

  @Test
  void busyAgentStreamingOutputFlatOutIsNotRateLimited(TestBackend backend) throws Exception {
    // 3,000 coalesced chunks back to back: far past the 100 msg/s limit for other frames (the bench
    // saw
    // a flat-out child closed 4429 before terminal output got a budget of its own)
    ProtocolClient busy = agent(backend, "busy");
    String chunk = "x".repeat(1024) + "\n";
    for (int i = 1; i <= 3000; i++) {
      busy.send(
          new TerminalOutput("busy", "busy", EnumValue.of(StreamType.STDOUT), chunk, i, null));
    }
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(
                        Http.get(
                                backend.httpUrl(),
                                "/api/commands/busy?outputLimit=5000",
                                backend.dashboardToken())
                            .json()
                            .get("output"))
                    .hasSize(3000));
    assertThat(busy.closeCode).isNotDone();
    assertThat(busy.received).noneMatch(m -> m.toString().contains("RATE_LIMITED"));
  }

  @Test
  void replayBurstOfAThousandFramesAfterConnectIsNotAFlood(TestBackend backend) throws Exception {
    ProtocolClient replaying = agent(backend, "replay");
    for (int i = 1; i <= 900; i++) {
      replaying.send(
          new TerminalOutput(
              "replay", "replay", EnumValue.of(StreamType.STDOUT), "line " + i + "\n", i, null));
    }
    org.awaitility.Awaitility.await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(
                        Http.get(
                                backend.httpUrl(),
                                "/api/commands/replay?outputLimit=2000",
                                backend.dashboardToken())
                            .json()
                            .get("output"))
                    .hasSize(900));
    assertThat(replaying.closeCode).isNotDone();
    assertThat(replaying.received).noneMatch(m -> m.type() == MessageType.ERROR);
  }

  @Test
  void dashboardFloodIsClosed4429(TestBackend backend) throws Exception {
    ProtocolClient d = ProtocolClient.open(backend.dashboardUri());
    clients.add(d);
    // Stop sending once refused: frames still in flight when the backend closes would make its
    // kernel
    // answer with RST, and the client would report 1006 instead of the 4429 the backend sent.
    for (int i = 0;
        i < 300 && d.isOpen() && d.received.stream().noneMatch(m -> m.type() == MessageType.ERROR);
        i++) {
      d.send(new DashboardInit("u", null));
    }
    assertThat(d.expect(MessageType.ERROR, WAIT).payload(ErrorMessage.class).code().value())
        .isEqualTo(ErrorCode.RATE_LIMITED);
    assertThat(d.awaitClose(WAIT)).as(() -> d.closeInfo).isEqualTo(4429);
  }
}
