package ai.onsembl.backend;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.backend.junit.ReferenceBackendTest;
import ai.onsembl.backend.junit.TestBackend;
import ai.onsembl.protocol.Ack;
import ai.onsembl.protocol.DashboardInit;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.protocol.Ping;
import ai.onsembl.protocol.Pong;
import ai.onsembl.protocol.Selection;
import ai.onsembl.protocol.Subscriptions;
import ai.onsembl.testing.ProtocolClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dashboard endpoint speaks the web frontend's dialect (object subscriptions, its PING) and
 * keeps the heartbeat in both directions: it PINGs each dashboard every interval and closes one
 * that sends nothing for the timeout with 4000.
 */
@Timeout(60)
@ReferenceBackendTest(heartbeatIntervalMillis = 200, heartbeatTimeoutMillis = 1000)
class DashboardHeartbeatTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private final List<ProtocolClient> clients = new ArrayList<>();

  @AfterEach
  void closeClients() {
    clients.forEach(ProtocolClient::close);
  }

  private ProtocolClient dashboard(TestBackend backend) throws Exception {
    ProtocolClient d = ProtocolClient.open(backend.dashboardUri());
    clients.add(d);
    d.expect(MessageType.DASHBOARD_CONNECTED, WAIT);
    return d;
  }

  private static Message frame(String json) throws Exception {
    return ai.onsembl.protocol.ProtocolCodec.standard().decode(json);
  }

  @Test
  void frontendInitWithObjectsIsAckedWithItsSubscriptionsAndNoError(TestBackend backend)
      throws Exception {
    ProtocolClient d = dashboard(backend);
    Message init =
        frame(
            "{\"type\":\"DASHBOARD_INIT\",\"id\":\"msg_1_1\",\"timestamp\":1796286315273,\"payload\":"
                + "{\"userId\":\"u-1\",\"subscriptions\":{\"agents\":{\"all\":true},\"commands\":{\"all\":true},"
                + "\"terminals\":true,\"traces\":true}}}");
    d.send(init);

    Ack ack = d.expect(MessageType.ACK, WAIT).payload(Ack.class);
    assertThat(ack.messageId()).isEqualTo("msg_1_1");
    assertThat(ack.subscriptions()).isEqualTo(init.payload(DashboardInit.class).subscriptions());
    assertThat(ack.subscriptions().agents()).isEqualTo(Selection.allObject());

    d.send(new DashboardInit("u-1", new Subscriptions(Selection.everything(), null, true, false)));
    assertThat(d.expect(MessageType.ACK, WAIT).payload(Ack.class).subscriptions().agents())
        .isEqualTo(Selection.everything());
    d.send(
        frame(
            "{\"type\":\"DASHBOARD_SUBSCRIBE\",\"id\":\"s-1\",\"timestamp\":1,\"payload\":"
                + "{\"type\":\"agent\",\"id\":\"a-1\"}}"));
    assertThat(d.expect(MessageType.ACK, WAIT).payload(Ack.class).messageId()).isEqualTo("s-1");
    assertThat(d.drain(Duration.ofMillis(300)))
        .extracting(Message::type)
        .doesNotContain(MessageType.ERROR);
  }

  @Test
  void dashboardPingIsAnsweredWithPongEchoingTimestampAndSequenceBeforeTheNextFrame(
      TestBackend backend) throws Exception {
    ProtocolClient d = dashboard(backend);
    d.answerPings = false; // only our own frames are on this socket
    long sent = System.currentTimeMillis() - 3;
    d.send(new Message(MessageType.PING, "msg_7_1", sent, new Ping(sent, 7L)));
    d.send(
        frame(
            "{\"type\":\"DASHBOARD_SUBSCRIBE\",\"id\":\"after-ping\",\"timestamp\":1,\"payload\":"
                + "{\"type\":\"agent\",\"all\":true}}"));

    List<Message> answers = new ArrayList<>();
    while (answers.stream().noneMatch(m -> m.type() == MessageType.ACK)) {
      Message m = d.received.poll(5, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(m).as("answers so far: %s", answers).isNotNull();
      if (m.type() != MessageType.PING) {
        answers.add(m);
      }
    }
    assertThat(answers)
        .extracting(Message::type)
        .containsExactly(MessageType.PONG, MessageType.ACK);
    Pong pong = answers.get(0).payload(Pong.class);
    assertThat(pong.timestamp()).isEqualTo(sent);
    assertThat(pong.sequence()).isEqualTo(7L);
    assertThat(pong.latency()).isGreaterThanOrEqualTo(0L);

    d.send(new Ping(sent));
    Pong plain = d.expect(MessageType.PONG, WAIT).payload(Pong.class);
    assertThat(plain.timestamp()).isEqualTo(sent);
    assertThat(plain.sequence()).isNull();
  }

  @Test
  void backendPingsEveryDashboardAtTheHeartbeatInterval(TestBackend backend) throws Exception {
    ProtocolClient d = dashboard(backend);
    List<Message> pings = d.collect(MessageType.PING, Duration.ofMillis(1500));
    // 200 ms interval: about 7 in 1.5 s; a loaded machine may delay some, never all
    assertThat(pings).hasSizeGreaterThanOrEqualTo(3);
    assertThat(pings).allSatisfy(m -> assertThat(m.payload(Ping.class).timestamp()).isPositive());
    assertThat(d.closeCode).isNotDone();
  }

  @Test
  void silentDashboardIsClosed4000AfterTheTimeoutWhileOneThatAnswersStaysOpen(TestBackend backend)
      throws Exception {
    ProtocolClient answering = dashboard(backend);
    ProtocolClient silent = dashboard(backend);
    silent.answerPings = false;

    assertThat(silent.awaitClose(WAIT)).isEqualTo(4000);
    assertThat(silent.closeInfo).contains("Heartbeat timeout");
    // the answering one outlived several timeouts and still works
    long openedFor = 3 * backend.config().heartbeatTimeout().toMillis();
    assertThat(answering.closeCode).isNotDone();
    assertThat(answering.collect(MessageType.PING, Duration.ofMillis(openedFor))).isNotEmpty();
    assertThat(answering.closeCode).isNotDone();
    answering.send(new Ping(1L));
    assertThat(answering.expect(MessageType.PONG, WAIT).payload(Pong.class).timestamp())
        .isEqualTo(1L);
  }
}
