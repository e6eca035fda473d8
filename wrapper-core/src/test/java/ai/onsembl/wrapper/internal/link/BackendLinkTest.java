package ai.onsembl.wrapper.internal.link;

import static ai.onsembl.wrapper.testing.Quiet.assertNothingArrivesWithin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.protocol.AgentConnect;
import ai.onsembl.protocol.AgentControl;
import ai.onsembl.protocol.AgentDisconnect;
import ai.onsembl.protocol.AgentHeartbeat;
import ai.onsembl.protocol.AgentType;
import ai.onsembl.protocol.Capabilities;
import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.HealthMetrics;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.protocol.Ping;
import ai.onsembl.protocol.Pong;
import ai.onsembl.protocol.StreamType;
import ai.onsembl.protocol.TerminalOutput;
import ai.onsembl.testing.ScriptedServer;
import ai.onsembl.testing.ScriptedServer.ConnectReply;
import ai.onsembl.testing.ScriptedServer.Event;
import ai.onsembl.testing.ScriptedServer.Kind;
import ai.onsembl.wrapper.AgentExitException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class BackendLinkTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final Recorder recorder = new Recorder();

  static final class Recorder implements LinkListener {
    final List<String> onlineIds = new CopyOnWriteArrayList<>();
    final List<String> reconnects = new CopyOnWriteArrayList<>();
    final AtomicReference<AgentExitException> fatal = new AtomicReference<>();
    final List<AgentControl> controls = new CopyOnWriteArrayList<>();

    @Override
    public void online(String agentId, boolean firstTime) {
      onlineIds.add(agentId);
    }

    @Override
    public void reconnecting(String why) {
      reconnects.add(why);
    }

    @Override
    public void fatal(AgentExitException why) {
      fatal.set(why);
    }

    @Override
    public void control(AgentControl control) {
      controls.add(control);
    }
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private ScriptedServer server(ScriptedServer s) throws InterruptedException {
    s.start();
    closeables.add(s);
    return s;
  }

  private BackendLink link(URI server, String token, Duration heartbeat, Duration giveUp) {
    LinkSettings settings =
        new LinkSettings(
            server.resolve("/ws/agent"),
            "agent-1",
            token,
            heartbeat,
            Duration.ofMillis(50),
            Duration.ofMillis(200),
            Duration.ofSeconds(10),
            Duration.ofSeconds(5),
            giveUp,
            1000,
            8L << 20);
    BackendLink link =
        new BackendLink(
            settings,
            recorder,
            id ->
                new AgentConnect(
                    id,
                    "test",
                    EnumValue.of(AgentType.CUSTOM),
                    "1.0",
                    "host",
                    Capabilities.of(0, true, false)),
            () -> new HealthMetrics(1.5, 12.0, 100L, 0L, 0.0),
            new Random(1));
    closeables.add(link::shutdown);
    return link;
  }

  private static TerminalOutput out(long seq) {
    return new TerminalOutput(
        "agent-1", "agent-1", EnumValue.of(StreamType.STDOUT), "line " + seq + "\n", seq, null);
  }

  @Test
  void sendsTokenOnlyInTheAuthorizationHeaderThenAgentConnectFirstAndAdoptsAckAgentId()
      throws Exception {
    ScriptedServer s = server(new ScriptedServer().assignAgentId("bb4affa7-uuid"));
    BackendLink link = link(s.uri(), "secret-token", Duration.ofSeconds(15), null);
    link.start();
    await().atMost(WAIT).until(link::isOnline);

    Event open = s.events().get(0);
    assertThat(open.kind()).isEqualTo(Kind.OPEN);
    assertThat(open.resource())
        .isEqualTo("/ws/agent?agentId=agent-1")
        .doesNotContain("secret-token");
    assertThat(open.authorization()).isEqualTo("Bearer secret-token");
    assertThat(s.events().get(1).type()).isEqualTo(MessageType.AGENT_CONNECT);
    assertThat(link.agentId()).isEqualTo("bb4affa7-uuid");
    assertThat(recorder.onlineIds).containsExactly("bb4affa7-uuid");

    link.send(out(1));
    Message m = s.awaitFrame(MessageType.TERMINAL_OUTPUT, WAIT);
    assertThat(((TerminalOutput) m.payload()).sequence()).isEqualTo(1);
  }

  @Test
  void answersEveryPingAtOnceWithPongEchoingItsTimestamp() throws Exception {
    ScriptedServer s = server(new ScriptedServer());
    BackendLink link = link(s.uri(), null, Duration.ofSeconds(15), null);
    link.start();
    await().atMost(WAIT).until(link::isOnline);
    s.send(new Ping(1795834412385L));
    s.send(new Ping(42L));
    await().atMost(WAIT).until(() -> s.frames(MessageType.PONG).size() == 2);
    assertThat(s.frames(MessageType.PONG))
        .extracting(p -> ((Pong) p.payload()).timestamp())
        .containsExactly(1795834412385L, 42L);
  }

  @Test
  void sendsHeartbeatsWithMetricsAtTheServersInterval() throws Exception {
    ScriptedServer s = server(new ScriptedServer().serverHeartbeat(Duration.ofMillis(200)));
    BackendLink link = link(s.uri(), null, Duration.ofSeconds(30), null);
    link.start();
    await().atMost(WAIT).until(() -> s.frames(MessageType.AGENT_HEARTBEAT).size() >= 3);
    AgentHeartbeat hb = (AgentHeartbeat) s.frames(MessageType.AGENT_HEARTBEAT).get(0).payload();
    assertThat(hb.agentId()).isEqualTo("agent-1");
    assertThat(hb.healthMetrics().memoryUsage()).isEqualTo(12.0);
    assertThat(hb.healthMetrics().cpuUsage()).isEqualTo(1.5);
  }

  @Test
  void typescriptBackendUnknownHeartbeatErrorStopsHeartbeatsOnThatConnectionButPongsGoOn()
      throws Exception {
    ScriptedServer s = server(new ScriptedServer().typescript().assignAgentId("uuid-ts"));
    BackendLink link = link(s.uri(), "jwt", Duration.ofMillis(150), null);
    link.start();
    s.awaitFrame(MessageType.AGENT_HEARTBEAT, WAIT);
    await()
        .atMost(WAIT)
        .until(
            () ->
                s.events().stream()
                        .anyMatch(
                            e -> e.kind() == Kind.FRAME && e.type() == MessageType.AGENT_HEARTBEAT)
                    && link.isOnline());
    // Let several intervals pass; PINGs keep the connection alive and are answered.
    for (int i = 0; i < 5; i++) {
      s.send(new Ping((long) i));
      int expected = i + 1;
      await().atMost(WAIT).until(() -> s.frames(MessageType.PONG).size() == expected);
      Thread.onSpinWait();
    }
    // At most one more heartbeat was on its way before the ERROR reached the link; then none for 4
    // intervals.
    assertNothingArrivesWithin(
        Duration.ofMillis(600),
        "a third AGENT_HEARTBEAT after the TypeScript backend's ERROR",
        () -> s.frames(MessageType.AGENT_HEARTBEAT).size() > 2);
    assertThat(link.isOnline()).isTrue();
    assertThat(s.connectionCount()).isEqualTo(1);
  }

  @Test
  void unauthorizedErrorIsFatalWithExitCode3AndTheServersMessage() throws Exception {
    ScriptedServer s =
        server(new ScriptedServer().connectReply(ConnectReply.ERROR_UNAUTHORIZED_THEN_4401));
    BackendLink link = link(s.uri(), "bad", Duration.ofSeconds(15), null);
    link.start();
    await().atMost(WAIT).until(() -> recorder.fatal.get() != null);
    assertThat(recorder.fatal.get().exitCode()).isEqualTo(3);
    assertThat(recorder.fatal.get().getMessage())
        .contains("Invalid authentication token")
        .doesNotContain("bad");
    assertNothingArrivesWithin(
        Duration.ofMillis(500),
        "a reconnect after the auth refusal",
        () -> s.connectionCount() > 1);
  }

  @Test
  void close4401IsFatalWithExitCode3() throws Exception {
    ScriptedServer s = server(new ScriptedServer().connectReply(ConnectReply.CLOSE_4401));
    BackendLink link = link(s.uri(), "bad", Duration.ofSeconds(15), null);
    link.start();
    await().atMost(WAIT).until(() -> recorder.fatal.get() != null);
    assertThat(recorder.fatal.get().exitCode()).isEqualTo(3);
  }

  @Test
  void unreachableBackendGivesUpWithExitCode4AfterGiveUpAfter() throws Exception {
    int port;
    try (ServerSocket ss = new ServerSocket(0)) {
      port = ss.getLocalPort();
    }
    BackendLink link =
        link(
            URI.create("ws://127.0.0.1:" + port),
            null,
            Duration.ofSeconds(15),
            Duration.ofMillis(800));
    long t0 = System.nanoTime();
    link.start();
    await().atMost(WAIT).until(() -> recorder.fatal.get() != null);
    long tookMillis = (System.nanoTime() - t0) / 1_000_000;
    assertThat(recorder.fatal.get().exitCode()).isEqualTo(4);
    assertThat(recorder.fatal.get().getMessage()).contains("unreachable");
    assertThat(tookMillis).isGreaterThanOrEqualTo(800);
  }

  @Test
  void outputQueuedWhileBackendIsDownArrivesInOrderAfterAgentConnectOnReconnect() throws Exception {
    ScriptedServer first = server(new ScriptedServer());
    int port = first.port();
    BackendLink link = link(first.uri(), null, Duration.ofSeconds(15), null);
    link.start();
    await().atMost(WAIT).until(link::isOnline);
    link.send(out(1));
    first.awaitFrame(MessageType.TERMINAL_OUTPUT, WAIT);
    first.close();
    await().atMost(WAIT).until(() -> !link.isOnline());
    for (long i = 2; i <= 50; i++) {
      assertThat(link.send(out(i))).isTrue();
    }
    ScriptedServer second = server(new ScriptedServer(port));
    await()
        .atMost(WAIT)
        .until(
            () ->
                second.frames(MessageType.TERMINAL_OUTPUT).stream()
                    .anyMatch(m -> ((TerminalOutput) m.payload()).sequence() == 50));
    List<Event> frames = second.events().stream().filter(e -> e.kind() == Kind.FRAME).toList();
    assertThat(frames.get(0).type()).isEqualTo(MessageType.AGENT_CONNECT);
    // 2..50 in order; 1 may come again first when the first server closed before its pong confirmed
    // it
    // (replay of unconfirmed frames; the real backend drops the repeat by (commandId, sequence))
    List<Long> seqs =
        second.frames(MessageType.TERMINAL_OUTPUT).stream()
            .map(m -> ((TerminalOutput) m.payload()).sequence())
            .toList();
    assertThat(seqs.get(0) == 1L ? seqs.subList(1, seqs.size()) : seqs)
        .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(2, 50).boxed().toList());
    assertThat(recorder.reconnects).hasSize(1);
    assertThat(recorder.onlineIds).hasSize(2);
  }

  @Test
  void goodbyeSendsQueuedFramesThenAgentDisconnectThenClose1000() throws Exception {
    ScriptedServer s = server(new ScriptedServer());
    BackendLink link = link(s.uri(), null, Duration.ofSeconds(15), null);
    link.start();
    await().atMost(WAIT).until(link::isOnline);
    link.send(out(1));
    boolean ok =
        link.goodbye(
            new AgentDisconnect("agent-1", "Graceful shutdown (SIGTERM)", 1L, 143, true),
            Duration.ofSeconds(2));
    assertThat(ok).isTrue();
    Event close = s.await(e -> e.kind() == Kind.CLOSE, WAIT);
    assertThat(close.code()).isEqualTo(1000);
    List<String> order =
        s.events().stream()
            .filter(e -> e.kind() != Kind.OPEN)
            .map(e -> e.kind() == Kind.CLOSE ? "CLOSE" : e.type().name())
            .toList();
    assertThat(order)
        .containsExactly("AGENT_CONNECT", "TERMINAL_OUTPUT", "AGENT_DISCONNECT", "CLOSE");
    assertThat(link.send(out(2))).as("send after goodbye").isFalse();
    assertThat(link.refusedAfterGoodbye()).as("refused after the goodbye, counted").isEqualTo(1);
  }

  @Test
  void silentBackendIsDetectedAsHalfOpenAndTheLinkReconnects() throws Exception {
    ScriptedServer s = server(new ScriptedServer());
    BackendLink link = link(s.uri(), null, Duration.ofMillis(200), null);
    link.start();
    await().atMost(WAIT).until(link::isOnline);
    s.goSilent();
    await().atMost(WAIT).until(() -> recorder.reconnects.size() >= 1);
    assertThat(recorder.reconnects.get(0)).contains("half-open");
    await().atMost(WAIT).until(() -> s.connectionCount() >= 2);
  }

  @Test
  void agentControlStopReachesTheListener() throws Exception {
    ScriptedServer s = server(new ScriptedServer());
    BackendLink link = link(s.uri(), null, Duration.ofSeconds(15), null);
    link.start();
    await().atMost(WAIT).until(link::isOnline);
    s.send(
        new AgentControl(
            null,
            EnumValue.of(ai.onsembl.protocol.ControlAction.STOP),
            "from dashboard",
            true,
            null));
    await().atMost(WAIT).until(() -> recorder.controls.size() == 1);
    assertThat(recorder.controls.get(0).reason()).isEqualTo("from dashboard");
  }

  @Test
  void tokenRefreshIsUsedOnTheNextReconnect() throws Exception {
    ScriptedServer s = server(new ScriptedServer());
    BackendLink link = link(s.uri(), "old-token", Duration.ofSeconds(15), null);
    link.start();
    await().atMost(WAIT).until(link::isOnline);
    s.send(new ai.onsembl.protocol.TokenRefresh("new-token", 3600L, null));
    // The link handles server frames in order on its thread: the PONG to a later PING means the
    // refresh is taken.
    s.send(new Ping(42L));
    await()
        .atMost(WAIT)
        .until(
            () ->
                s.frames(MessageType.PONG).stream()
                    .anyMatch(m -> ((Pong) m.payload()).timestamp() == 42L));
    s.closeNewest(1001, "going away");
    await().atMost(WAIT).until(() -> s.connectionCount() == 2 && link.isOnline());
    List<Event> opens = s.events().stream().filter(e -> e.kind() == Kind.OPEN).toList();
    assertThat(opens.get(0).authorization()).isEqualTo("Bearer old-token");
    assertThat(opens.get(1).authorization()).isEqualTo("Bearer new-token");
    assertThat(opens.get(1).resource()).doesNotContain("token");
  }

  @Test
  void savedLoginTokenSourceIsAskedPerConnectAndAdoptsAndSavesTokenRefresh(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    ScriptedServer s = server(new ScriptedServer());
    ai.onsembl.wrapper.login.LoginFile file = ai.onsembl.wrapper.login.LoginFile.ours(dir);
    ai.onsembl.wrapper.login.SavedLogin saved =
        new ai.onsembl.wrapper.login.SavedLogin(
            "http://127.0.0.1:1",
            "saved-token",
            "saved-refresh",
            java.time.Instant.now().plus(Duration.ofHours(1)),
            "u",
            List.of());
    file.write(saved);
    BackendLink link = link(s.uri(), null, Duration.ofSeconds(15), null);
    link.setTokenSource(
        new ai.onsembl.wrapper.login.SavedLoginTokens(
            file, saved, java.time.Clock.systemUTC(), line -> {}));
    link.start();
    await().atMost(WAIT).until(link::isOnline);
    s.send(new ai.onsembl.protocol.TokenRefresh("pushed-token", 1800L, "pushed-refresh"));
    s.send(new Ping(43L));
    await()
        .atMost(WAIT)
        .until(
            () ->
                s.frames(MessageType.PONG).stream()
                    .anyMatch(m -> ((Pong) m.payload()).timestamp() == 43L));
    ai.onsembl.wrapper.login.SavedLogin now = file.read().orElseThrow();
    assertThat(now.accessToken()).isEqualTo("pushed-token");
    assertThat(now.refreshToken()).isEqualTo("pushed-refresh");
    assertThat(now.expiresAt())
        .isBetween(
            java.time.Instant.now().plusSeconds(1700), java.time.Instant.now().plusSeconds(1801));
    s.closeNewest(1001, "going away");
    await().atMost(WAIT).until(() -> s.connectionCount() == 2 && link.isOnline());
    List<Event> opens = s.events().stream().filter(e -> e.kind() == Kind.OPEN).toList();
    assertThat(opens.get(0).authorization()).isEqualTo("Bearer saved-token");
    assertThat(opens.get(1).authorization()).isEqualTo("Bearer pushed-token");
  }

  @Test
  void aRefusedRefreshBeforeConnectingEndsTheLinkWithExitThree(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    ScriptedServer s = server(new ScriptedServer());
    com.sun.net.httpserver.HttpServer auth =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    auth.createContext(
        "/api/auth/cli/refresh",
        ex -> {
          byte[] b =
              "{\"error\":\"invalid_grant\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
          ex.sendResponseHeaders(401, b.length);
          ex.getResponseBody().write(b);
          ex.close();
        });
    auth.start();
    closeables.add(() -> auth.stop(0));
    ai.onsembl.wrapper.login.LoginFile file = ai.onsembl.wrapper.login.LoginFile.ours(dir);
    ai.onsembl.wrapper.login.SavedLogin saved =
        new ai.onsembl.wrapper.login.SavedLogin(
            "http://127.0.0.1:" + auth.getAddress().getPort(),
            "old",
            "spent",
            java.time.Instant.now().plusSeconds(60),
            "u",
            List.of());
    file.write(saved);
    byte[] before = java.nio.file.Files.readAllBytes(file.path());
    BackendLink link = link(s.uri(), null, Duration.ofSeconds(15), null);
    link.setTokenSource(
        new ai.onsembl.wrapper.login.SavedLoginTokens(
            file, saved, java.time.Clock.systemUTC(), line -> {}));
    link.start();
    await().atMost(WAIT).until(() -> recorder.fatal.get() != null);
    assertThat(recorder.fatal.get().exitCode()).isEqualTo(3);
    assertThat(recorder.fatal.get().getMessage())
        .contains("invalid_grant", "run onsembl-agent login");
    assertThat(s.connectionCount()).as("no connect with a token that cannot be renewed").isZero();
    assertThat(java.nio.file.Files.readAllBytes(file.path())).isEqualTo(before);
  }

  @Test
  void stoppedDuringTheHandshakeStillSaysGoodbyeRightAfterAgentConnect() throws Exception {
    ScriptedServer s = server(new ScriptedServer().connectReply(ConnectReply.NOTHING));
    BackendLink link = link(s.uri(), null, Duration.ofSeconds(15), null);
    link.start();
    s.awaitFrame(MessageType.AGENT_CONNECT, WAIT);
    boolean ok =
        link.goodbye(
            new AgentDisconnect("agent-1", "Graceful shutdown (SIGTERM)", 1L, 143, true),
            Duration.ofSeconds(2));
    assertThat(ok).isTrue();
    s.await(e -> e.kind() == Kind.CLOSE, WAIT);
    List<String> order =
        s.events().stream()
            .filter(e -> e.kind() != Kind.OPEN)
            .map(e -> e.kind() == Kind.CLOSE ? "CLOSE " + e.code() : e.type().name())
            .toList();
    assertThat(order).containsExactly("AGENT_CONNECT", "AGENT_DISCONNECT", "CLOSE 1000");
  }
}
