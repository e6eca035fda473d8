package ai.onsembl.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.backend.AgentState;
import ai.onsembl.backend.BackendConfig;
import ai.onsembl.backend.ReferenceBackend;
import ai.onsembl.protocol.AgentHeartbeat;
import ai.onsembl.protocol.AgentStatus;
import ai.onsembl.protocol.AgentStatusUpdate;
import ai.onsembl.protocol.CommandStatus;
import ai.onsembl.protocol.DashboardConnected;
import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.protocol.StreamType;
import ai.onsembl.protocol.TerminalOutput;
import ai.onsembl.testing.ProtocolClient;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many agents at once against a backend with a real SQLite file: closes that pile up on the worker
 * are handled in one batch, a heartbeat timeout that waited behind a backlog checks again, a
 * dashboard that stops reading is sent a fresh snapshot instead of being cut off. Every test ends
 * with no ghost (ONLINE without a live session).
 */
@Timeout(120)
class FleetBurstTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private final List<ProtocolClient> clients = new ArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private ReferenceBackend backend;

  @TempDir Path tmp;

  @AfterEach
  void stop() {
    release.countDown();
    clients.forEach(ProtocolClient::close);
    if (backend != null) {
      backend.close();
    }
  }

  private BackendCore start(BackendConfig config) {
    backend = ReferenceBackend.start(config.withDatabasePath(tmp.resolve("fleet.db").toString()));
    return BackendAccess.bridge().core(backend);
  }

  private ProtocolClient track(ProtocolClient c) {
    clients.add(c);
    return c;
  }

  private URI agentUri() {
    return URI.create(backend.wsUrl() + "/ws/agent?token=" + backend.config().agentToken());
  }

  private URI dashboardUri() {
    return URI.create(backend.wsUrl() + "/ws/dashboard?token=" + backend.config().dashboardToken());
  }

  private ProtocolClient openDashboard() throws InterruptedException {
    ProtocolClient dashboard = track(ProtocolClient.open(dashboardUri()));
    dashboard.expect(MessageType.DASHBOARD_CONNECTED, WAIT);
    return dashboard;
  }

  /** Agents {@code prefix0} ... {@code prefix(n-1)}, each ACKed. */
  private List<ProtocolClient> connectAgents(String prefix, int n) throws InterruptedException {
    List<ProtocolClient> agents = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      agents.add(track(ProtocolClient.agent(agentUri(), prefix + i)));
    }
    return agents;
  }

  /** Holds the worker until the test releases it (or ends). */
  private void blockWorker(BackendCore core) throws InterruptedException {
    CountDownLatch blocked = new CountDownLatch(1);
    core.onWorker(
        () -> {
          blocked.countDown();
          try {
            release.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    assertThat(blocked.await(10, TimeUnit.SECONDS)).as("worker blocked").isTrue();
  }

  /** The agents a dashboard is told are OFFLINE, read until {@code n} of them or {@link #WAIT}. */
  private static Set<String> offlineOn(ProtocolClient dashboard, int n)
      throws InterruptedException {
    Set<String> offline = new HashSet<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (offline.size() < n && System.nanoTime() < deadline) {
      Message m =
          dashboard.next(MessageType.AGENT_STATUS, Duration.ofNanos(deadline - System.nanoTime()));
      if (m != null && m.payload(AgentStatusUpdate.class).status().value() == AgentStatus.OFFLINE) {
        offline.add(m.payload(AgentStatusUpdate.class).agentId());
      }
    }
    return offline;
  }

  private static void assertNoGhost(BackendCore core) {
    assertThat(core.ghostCount()).as("agent_ghost_count").isZero();
  }

  @Test
  void closesQueuedOnTheWorkerAreOneTransactionAndOneRunOfBroadcastsWithTrueReasons()
      throws Exception {
    BackendCore core =
        start(
            BackendConfig.forTests().withHeartbeat(Duration.ofSeconds(5), Duration.ofSeconds(30)));
    int n = 60;
    ProtocolClient dashboard = openDashboard();
    List<ProtocolClient> agents = connectAgents("burst-", n);
    String commandId =
        core.onWorkerAndWait(
            () ->
                core.commandService.request("burst-0", null, "echo hi", "test").value().commandId(),
            WAIT);
    // agent burst-1 says goodbye first: its reason must survive the batch
    agents
        .get(1)
        .send(
            new ai.onsembl.protocol.AgentDisconnect(
                "burst-1", "Going for lunch", null, null, null));
    await().atMost(WAIT).until(() -> core.registry.current("burst-1").goodbyeReason != null);
    long batchesBefore = core.closes.batches();

    blockWorker(core);
    for (ProtocolClient a : agents) {
      a.getSocket().close(); // like SIGKILL: no close frame, the kernel just closes the socket
    }
    await().atMost(WAIT).until(() -> core.closes.pending() == n);
    release.countDown();

    await()
        .atMost(WAIT)
        .until(() -> backend.agents().stream().allMatch(a -> a.status() == AgentStatus.OFFLINE));
    assertThat(core.closes.batches() - batchesBefore).as("batches for %d closes", n).isEqualTo(1);
    assertThat(core.closes.largestBatch()).isEqualTo(n);
    assertThat(backend.agent("burst-1"))
        .get()
        .extracting(AgentState::disconnectReason)
        .isEqualTo("Going for lunch");
    assertThat(backend.agent("burst-2"))
        .get()
        .extracting(AgentState::disconnectReason)
        .isEqualTo("Connection closed (code 1006)");
    assertThat(core.commands.find(commandId))
        .get()
        .extracting(CommandStore.CommandRecord::status)
        .isEqualTo(CommandStatus.CANCELLED);
    for (int i = 0; i < n; i++) {
      assertThat(core.agents.history("burst-" + i, 10))
          .extracting(AgentStore.HistoryEntry::status)
          .as("history of burst-%d", i)
          .contains("OFFLINE");
    }
    assertThat(offlineOn(dashboard, n)).as("agents OFFLINE on the dashboard").hasSize(n);
    assertNoGhost(core);
  }

  @Test
  void agentsWhoseSocketsEndWithFinOrResetAreAllOfflineWithTheirCode() throws Exception {
    BackendCore core =
        start(
            BackendConfig.forTests().withHeartbeat(Duration.ofSeconds(5), Duration.ofSeconds(30)));
    int n = 120;
    ProtocolClient dashboard = openDashboard();
    List<ProtocolClient> agents = connectAgents("gone-", n);
    for (int i = 0; i < n; i++) {
      java.net.Socket socket = agents.get(i).getSocket();
      if (i % 2 == 0) {
        socket.setSoLinger(true, 0); // RST, like a process that died with unread data
      }
      socket.close(); // no close frame: the peer's kernel ends the connection
    }

    await()
        .atMost(WAIT)
        .until(() -> backend.agents().stream().allMatch(a -> a.status() == AgentStatus.OFFLINE));
    for (int i = 0; i < n; i++) {
      assertThat(backend.agent("gone-" + i))
          .get()
          .extracting(AgentState::disconnectReason)
          .as("gone-%d (%s)", i, i % 2 == 0 ? "RST" : "FIN")
          .isEqualTo("Connection closed (code 1006)");
    }
    assertThat(offlineOn(dashboard, n)).as("agents OFFLINE on the dashboard").hasSize(n);
    assertThat(core.registry.all()).as("live sessions").isEmpty();
    assertNoGhost(core);
  }

  @Test
  void heartbeatTimeoutThatWaitedBehindABacklogChecksTheLastFrameAgain() throws Exception {
    BackendCore core =
        start(
            BackendConfig.forTests().withHeartbeat(Duration.ofMillis(300), Duration.ofSeconds(1)));
    ProtocolClient dashboard = track(ProtocolClient.open(dashboardUri()));
    dashboard.expect(MessageType.DASHBOARD_CONNECTED, WAIT);
    ProtocolClient agent = track(ProtocolClient.agent(agentUri(), "busy-worker"));
    AgentSession session = core.registry.current("busy-worker");

    blockWorker(core);
    // The agent is silent past the timeout: the deadline fires and queues the timeout behind the
    // backlog.
    var deadline = session.deadlineTask;
    await().atMost(WAIT).until(() -> session.deadlineTask == deadline && deadline.isDone());
    long before = session.peer.lastFrameNanos;
    agent.send(new AgentHeartbeat("busy-worker", null));
    await().atMost(WAIT).until(() -> session.peer.lastFrameNanos != before);
    release.countDown();
    core.onWorkerAndWait(() -> null, WAIT);

    assertThat(backend.agent("busy-worker"))
        .get()
        .extracting(AgentState::status)
        .isEqualTo(AgentStatus.ONLINE);
    assertThat(agent.closeCode).isNotDone();
    assertThat(dashboard.received)
        .noneMatch(
            m ->
                m.type() == MessageType.AGENT_STATUS
                    && m.payload(AgentStatusUpdate.class).status().value() == AgentStatus.OFFLINE);
    assertNoGhost(core);
  }

  @Test
  void dashboardThatStopsReadingGetsAFreshSnapshotInsteadOfBeingCutOff() throws Exception {
    BackendCore core =
        start(
            BackendConfig.forTests()
                .withRateLimits(100_000, 50)
                .withDashboardQueueLimit(64 * 1024)
                .withHeartbeat(Duration.ofSeconds(5), Duration.ofSeconds(30)));
    CountDownLatch reading = new CountDownLatch(1);
    ProtocolClient slow = track(ProtocolClient.open(dashboardUri()));
    slow.expect(MessageType.DASHBOARD_CONNECTED, WAIT);
    ProtocolClient agent = track(ProtocolClient.agent(agentUri(), "streamer"));
    slow.expect(MessageType.AGENT_STATUS, WAIT);
    slow.onText(
        text -> {
          try {
            reading.await(
                60,
                TimeUnit.SECONDS); // stops reading: its socket and then the backend's queue fill
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    String chunk = "x".repeat(8_000) + "\n";
    for (int i = 1; i <= 2000; i++) {
      agent.send(
          new TerminalOutput(
              "streamer", "streamer", EnumValue.of(StreamType.STDOUT), chunk, i, null));
    }
    await().atMost(WAIT).until(() -> metric(core, "dashboard_resync_total") >= 1);
    // a change the stalled dashboard misses as a frame must reach it through the snapshot
    track(ProtocolClient.agent(agentUri(), "late"));
    backend.agent("late").orElseThrow();
    slow.received.clear();
    reading.countDown();

    // Once it reads again it gets a fresh snapshot, and it learns about "late" (in that snapshot or
    // after it).
    boolean snapshotSeen = false;
    boolean lateSeen = false;
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!(snapshotSeen && lateSeen) && System.nanoTime() < deadline) {
      Message m = slow.received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (m == null) {
        break;
      }
      if (m.type() == MessageType.DASHBOARD_CONNECTED) {
        snapshotSeen = true;
        lateSeen =
            m.payload(DashboardConnected.class).agents().stream()
                .anyMatch(a -> a.agentId().equals("late"));
      } else if (snapshotSeen
          && m.type() == MessageType.AGENT_STATUS
          && m.payload(AgentStatusUpdate.class).agentId().equals("late")) {
        lateSeen = true;
      }
    }
    assertThat(snapshotSeen).as("a fresh snapshot after the dashboard fell behind").isTrue();
    assertThat(lateSeen)
        .as("the agent that connected while the dashboard stalled, in or after the snapshot")
        .isTrue();
    assertThat(slow.closeCode).as("the slow dashboard was not cut off").isNotDone();
    assertThat(metric(core, "dashboard_dropped_total")).isZero();
    assertNoGhost(core);
  }

  @Test
  void theWorkersQueueIsBoundedAndTheSocketThatFillsItWaitsWithNothingLost() throws Exception {
    // maxFrameBytes 4 KiB: the worker takes at most 16 x 4 KiB of agent frames before the reader
    // waits
    BackendCore core =
        start(
            BackendConfig.forTests()
                .withRateLimits(100_000, 50)
                .withMaxFrameBytes(4096)
                .withHeartbeat(Duration.ofSeconds(5), Duration.ofSeconds(30)));
    assertThat(core.frameGate.limit()).isEqualTo(64 * 1024);
    ProtocolClient agent = track(ProtocolClient.agent(agentUri(), "flooder"));
    ProtocolClient dashboard = track(ProtocolClient.open(dashboardUri()));
    dashboard.expect(MessageType.DASHBOARD_CONNECTED, WAIT);

    blockWorker(core);
    int frames = 1000;
    String chunk = "y".repeat(3000) + "\n";
    for (int i = 1; i <= frames; i++) {
      agent.send(
          new TerminalOutput(
              "flooder", "flooder", EnumValue.of(StreamType.STDOUT), chunk, i, null));
    }
    // 3 MB were sent; the worker is held: the reading thread waits once 64 KiB are queued
    await().atMost(WAIT).until(() -> core.frameGate.waits() >= 1);
    assertThat(metric(core, "worker_backpressure_waits_total")).isGreaterThanOrEqualTo(1);
    await()
        .during(Duration.ofMillis(200))
        .atMost(WAIT)
        .until(() -> core.frameGate.queuedBytes() <= 64 * 1024);
    release.countDown();

    await().atMost(WAIT).until(() -> core.commands.output("flooder", frames + 10).size() == frames);
    assertThat(core.commands.output("flooder", frames + 10))
        .extracting(CommandStore.OutputChunk::sequence)
        .as("every frame stored once, in order")
        .isSorted()
        .doesNotHaveDuplicates();
    await().atMost(WAIT).until(() -> core.frameGate.queuedBytes() == 0);
    assertThat(agent.closeCode).as("the agent that was slowed down is still connected").isNotDone();
    assertThat(backend.agent("flooder"))
        .get()
        .extracting(AgentState::status)
        .isEqualTo(AgentStatus.ONLINE);
    assertNoGhost(core);
  }

  @Test
  void anAgentThatStopsReadingIsDroppedOnceWhatItLeftUnreadPassesTheLimit() throws Exception {
    // maxFrameBytes 4 KiB: a peer may leave 8 x 4 KiB unread beyond the kernel's buffers
    BackendCore core =
        start(
            BackendConfig.forTests()
                .withRateLimits(1_000_000, 50)
                .withMaxFrameBytes(4096)
                .withHeartbeat(Duration.ofSeconds(5), Duration.ofSeconds(30)));
    CountDownLatch reading = new CountDownLatch(1);
    ProtocolClient deaf = track(ProtocolClient.agent(agentUri(), "deaf"));
    deaf.onText(
        text -> {
          try {
            reading.await(
                60, TimeUnit.SECONDS); // never reads again: kernel buffers, then the queue fill
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    deaf.send(new AgentHeartbeat("deaf", null)); // a frame the backend does not answer: no effect
    // Each malformed frame is answered with an ERROR the agent never reads (several MB in all).
    try {
      for (int sent = 0; sent < 200_000 && !deaf.closeCode.isDone(); sent++) {
        deaf.send("not json " + sent);
      }
    } catch (org.java_websocket.exceptions.WebsocketNotConnectedException e) {
      // dropped by the backend while we were still sending: what this test waits for
    }
    await().atMost(WAIT).until(() -> core.registry.current("deaf") == null);
    assertThat(backend.agent("deaf"))
        .get()
        .extracting(AgentState::status)
        .isEqualTo(AgentStatus.OFFLINE);
    reading.countDown();
    // everyone else is served: a new agent connects and is ONLINE
    track(ProtocolClient.agent(agentUri(), "reader"));
    await()
        .atMost(WAIT)
        .until(
            () -> backend.agent("reader").map(a -> a.status() == AgentStatus.ONLINE).orElse(false));
    assertNoGhost(core);
  }

  private static double metric(BackendCore core, String name) {
    for (String line :
        new String(core.metrics.scrape(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    return -1;
  }
}
