package ai.onsembl.wrapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.onsembl.protocol.AgentControl;
import ai.onsembl.protocol.AgentDisconnect;
import ai.onsembl.protocol.AgentHeartbeat;
import ai.onsembl.protocol.ControlAction;
import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.protocol.TerminalOutput;
import ai.onsembl.testing.ScriptedServer;
import ai.onsembl.testing.ScriptedServer.ConnectReply;
import ai.onsembl.testing.ScriptedServer.Event;
import ai.onsembl.testing.ScriptedServer.Kind;
import ai.onsembl.wrapper.process.ProcessTree;
import ai.onsembl.wrapper.run.RunFiles;
import ai.onsembl.wrapper.run.RunRecord;
import ai.onsembl.wrapper.testing.RecordingHandler;
import ai.onsembl.wrapper.testing.RunningProcess;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(90)
class AgentWrapperTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  @TempDir Path tmp;
  private final List<AgentWrapper> wrappers = new ArrayList<>();
  private final List<CompletableFuture<Integer>> runs = new ArrayList<>();
  private final List<ScriptedServer> servers = new ArrayList<>();
  private final List<RunningProcess> processes = new ArrayList<>();
  private final List<ProcessHandle> agentProcesses = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (AgentWrapper w : wrappers) {
      w.stop("test over");
    }
    List<String> stuck = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      try {
        runs.get(i).get(15, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        stuck.add("wrapper #" + (i + 1) + " (state " + wrappers.get(i).state() + ")");
      } catch (ExecutionException e) {
        // how a run ended is the test's own assertion; here it only has to have ended
      }
    }
    for (ScriptedServer s : servers) {
      s.close();
    }
    // What the test started (each with every descendant it was seen with), then the agents' pids.
    processes.forEach(RunningProcess::close);
    ProcessTree.killAll(agentProcesses, Duration.ofSeconds(5));
    assertThat(stuck).as("wrappers still running 15 s after stop()").isEmpty();
  }

  /** {@code p}, closed (SIGKILLed with its descendants) when the test ends. */
  private RunningProcess started(RunningProcess p) {
    processes.add(p);
    return p;
  }

  private ScriptedServer server(ScriptedServer s) throws InterruptedException {
    servers.add(s);
    return s.start();
  }

  private WrapperConfig config(URI server, String... command) {
    return WrapperConfig.defaults()
        .withServerUrl(server)
        .withStateDir(tmp.resolve("state"))
        .withWorkingDir(tmp)
        .withAgentKind(AgentKind.CUSTOM)
        .withName("test agent")
        .withCommand(List.of(command))
        .withChildGrace(Duration.ofMillis(800))
        .withReconnect(Duration.ofMillis(50), Duration.ofMillis(300));
  }

  private CompletableFuture<Integer> start(AgentWrapper w) {
    wrappers.add(w);
    CompletableFuture<Integer> run = CompletableFuture.supplyAsync(w::run);
    runs.add(run);
    return run;
  }

  private Path script(String name, String body) throws Exception {
    Path p = tmp.resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + body);
    p.toFile().setExecutable(true);
    return p;
  }

  /**
   * A child that prints "agent ready" and starts a grandchild that ignores SIGTERM; both pids in
   * files.
   */
  private Path stubbornTree() throws Exception {
    return script(
        "tree.sh",
        """
        sh -c 'trap "" TERM; while :; do sleep 1; done' &
        echo $! > "%1$s/grandchild.pid"
        echo $$ > "%1$s/child.pid"
        echo "agent ready"
        wait
        """
            .formatted(tmp));
  }

  private long pidFrom(String file) throws Exception {
    Path p = tmp.resolve(file);
    await().atMost(WAIT).until(() -> Files.exists(p) && !Files.readString(p).isBlank());
    long pid = Long.parseLong(Files.readString(p).trim());
    ProcessHandle.of(pid).ifPresent(agentProcesses::add);
    return pid;
  }

  /** Running = alive and not a zombie waiting for PID 1 to reap it. */
  private static boolean running(long pid) {
    return ProcessHandle.of(pid).map(ProcessTree::isRunning).orElse(false);
  }

  private static String outputText(ScriptedServer s) {
    StringBuilder b = new StringBuilder();
    for (Message m : s.frames(MessageType.TERMINAL_OUTPUT)) {
      b.append(((TerminalOutput) m.payload()).content());
    }
    return b.toString();
  }

  @Test
  void startsTheChildConnectsAndStreamsItsOutputWithTheAgentIdAsCommandId() throws Exception {
    ScriptedServer s = server(new ScriptedServer().assignAgentId("uuid-from-backend"));
    Path go = tmp.resolve("go");
    AgentWrapper w =
        AgentWrapper.create(
            config(
                s.uri(),
                "sh",
                "-c",
                "while [ ! -f "
                    + go
                    + " ]; do sleep 0.05; done; echo hello from the agent; exec sleep 60"),
            (out, id, child) -> new RecordingHandler());
    start(w);
    await().atMost(WAIT).until(() -> w.state() == LifecycleState.ONLINE);
    Files.writeString(go, "x");
    await().atMost(WAIT).until(() -> outputText(s).contains("hello from the agent"));
    TerminalOutput first = (TerminalOutput) s.frames(MessageType.TERMINAL_OUTPUT).get(0).payload();
    assertThat(first.commandId()).isEqualTo("uuid-from-backend");
    assertThat(first.sequence()).isEqualTo(1);
    assertThat(s.events().get(1).type()).isEqualTo(MessageType.AGENT_CONNECT);
    RunRecord r =
        new RunFiles(tmp.resolve("state"))
            .read(
                w.agentId().equals("uuid-from-backend")
                    ? new RunFiles(tmp.resolve("state")).list().get(0).record().agentId()
                    : w.agentId())
            .orElseThrow();
    assertThat(r.state()).isEqualTo("ONLINE");
    assertThat(r.backendAgentId()).isEqualTo("uuid-from-backend");
    assertThat(r.childPid()).isPositive();
  }

  @Test
  void agentControlStopSaysGoodbyeBeforeCloseKillsTheWholeTreeAndExitsZero() throws Exception {
    ScriptedServer s = server(new ScriptedServer());
    RecordingHandler handler = new RecordingHandler();
    AgentWrapper w =
        AgentWrapper.create(
            config(s.uri(), stubbornTree().toString()), (out, id, child) -> handler);
    CompletableFuture<Integer> run = start(w);
    long childPid = pidFrom("child.pid");
    long grandchildPid = pidFrom("grandchild.pid");
    await().atMost(WAIT).until(() -> w.state() == LifecycleState.ONLINE);

    s.send(
        new AgentControl(null, EnumValue.of(ControlAction.STOP), "dashboard said so", true, null));
    assertThat(run.get(10, TimeUnit.SECONDS)).isZero();

    List<String> order =
        s.events().stream()
            .filter(e -> e.kind() != Kind.OPEN)
            .map(e -> e.kind() == Kind.CLOSE ? "CLOSE " + e.code() : e.type().name())
            .filter(x -> !x.equals("TERMINAL_OUTPUT"))
            .toList();
    assertThat(order).endsWith("AGENT_DISCONNECT", "CLOSE 1000");
    AgentDisconnect bye = (AgentDisconnect) s.frames(MessageType.AGENT_DISCONNECT).get(0).payload();
    assertThat(bye.reason()).contains("AGENT_CONTROL STOP").contains("dashboard said so");
    assertThat(bye.exitCode()).isZero();
    assertThat(bye.graceful()).isTrue();
    assertThat(handler.calls).contains("cancelAll agent shutting down");
    assertThat(running(childPid)).as("child alive").isFalse();
    assertThat(running(grandchildPid)).as("grandchild that ignores SIGTERM alive").isFalse();
    assertThat(new RunFiles(tmp.resolve("state")).list())
        .as("run files after a clean exit")
        .isEmpty();
  }

  @Test
  void childExitingByItselfEndsTheWrapperWithTheChildsCode() throws Exception {
    ScriptedServer s = server(new ScriptedServer());
    Path marker = tmp.resolve("go");
    AgentWrapper w =
        AgentWrapper.create(
            config(
                s.uri(), "sh", "-c", "while [ ! -f " + marker + " ]; do sleep 0.05; done; exit 7"),
            (out, id, child) -> new RecordingHandler());
    CompletableFuture<Integer> run = start(w);
    await().atMost(WAIT).until(() -> w.state() == LifecycleState.ONLINE);
    Files.writeString(marker, "x");
    assertThat(run.get(10, TimeUnit.SECONDS)).isEqualTo(7);
    AgentDisconnect bye =
        (AgentDisconnect) s.awaitFrame(MessageType.AGENT_DISCONNECT, WAIT).payload();
    assertThat(bye.exitCode()).isEqualTo(7);
    assertThat(bye.reason()).contains("exited with code 7");
  }

  @Test
  void childKilledBySignalGives128PlusN() throws Exception {
    ScriptedServer s = server(new ScriptedServer());
    AgentWrapper w =
        AgentWrapper.create(
            config(s.uri(), "sh", "-c", "sleep 0.3; kill -9 $$"),
            (out, id, child) -> new RecordingHandler());
    assertThat(start(w).get(10, TimeUnit.SECONDS)).isEqualTo(137);
  }

  @Test
  void missingAgentBinaryIsExitCode2BeforeAnythingStarts() throws Exception {
    ScriptedServer s = server(new ScriptedServer());
    AgentWrapper w =
        AgentWrapper.create(
            config(s.uri(), "no-such-agent-binary-xyz"),
            (out, id, child) -> new RecordingHandler());
    assertThatThrownBy(w::run)
        .isInstanceOf(AgentExitException.class)
        .hasMessageContaining("no-such-agent-binary-xyz")
        .satisfies(e -> assertThat(((AgentExitException) e).exitCode()).isEqualTo(2));
    assertThat(s.connectionCount()).isZero();
  }

  @Test
  void unreachableWorkingDirIsExitCode2() throws Exception {
    AgentWrapper w =
        AgentWrapper.create(
            config(URI.create("ws://127.0.0.1:1"), "sh", "-c", "true")
                .withWorkingDir(tmp.resolve("missing")),
            (out, id, child) -> new RecordingHandler());
    assertThatThrownBy(w::run)
        .isInstanceOf(AgentExitException.class)
        .hasMessageContaining("--working-dir")
        .satisfies(e -> assertThat(((AgentExitException) e).exitCode()).isEqualTo(2));
  }

  @Test
  void refusedAuthenticationEndsWithExitCode3AndStopsTheChild() throws Exception {
    // The refusal waits for the agent's tree: the child starts while the link connects, and a
    // refusal before the tree wrote its pids left nothing to check (seen once under load).
    Path pids = tmp.resolve("grandchild.pid");
    ScriptedServer s =
        server(
            new ScriptedServer()
                .connectReply(ConnectReply.ERROR_UNAUTHORIZED_THEN_4401)
                .holdConnectReplyUntil(
                    () -> {
                      try {
                        return Files.exists(pids) && !Files.readString(pids).isBlank();
                      } catch (java.io.IOException e) {
                        return false;
                      }
                    }));
    AgentWrapper w =
        AgentWrapper.create(
            config(s.uri(), stubbornTree().toString()).withToken("wrong"),
            (out, id, child) -> new RecordingHandler());
    CompletableFuture<Integer> run = start(w);
    long grandchild = pidFrom("grandchild.pid");
    assertThat(run.get(10, TimeUnit.SECONDS)).isEqualTo(3);
    assertThat(running(grandchild)).isFalse();
  }

  @Test
  void backendUnreachablePastGiveUpAfterEndsWithExitCode4() throws Exception {
    int port;
    try (ServerSocket ss = new ServerSocket(0)) {
      port = ss.getLocalPort();
    }
    AgentWrapper w =
        AgentWrapper.create(
            config(URI.create("ws://127.0.0.1:" + port), "sleep", "60")
                .withGiveUpAfter(Duration.ofMillis(700)),
            (out, id, child) -> new RecordingHandler());
    assertThat(start(w).get(10, TimeUnit.SECONDS)).isEqualTo(4);
  }

  @Test
  void heartbeatsCarryRealMetricsOfTheChildTree() throws Exception {
    ScriptedServer s = server(new ScriptedServer().serverHeartbeat(Duration.ofMillis(300)));
    AgentWrapper w =
        AgentWrapper.create(
            config(s.uri(), "sh", "-c", "sleep 60 & sleep 60 & wait"),
            (out, id, child) -> new RecordingHandler());
    start(w);
    await().atMost(WAIT).until(() -> s.frames(MessageType.AGENT_HEARTBEAT).size() >= 2);
    AgentHeartbeat hb = (AgentHeartbeat) s.frames(MessageType.AGENT_HEARTBEAT).get(1).payload();
    assertThat(hb.healthMetrics().memoryUsage()).as("RSS MB of sh + 2 sleeps").isGreaterThan(0.5);
    assertThat(hb.healthMetrics().cpuUsage()).isGreaterThanOrEqualTo(0.0);
    assertThat(hb.healthMetrics().uptime()).isPositive();
    assertThat(hb.healthMetrics().commandsProcessed()).isEqualTo(3);
    assertThat(hb.healthMetrics().averageResponseTime()).isEqualTo(250.0);
  }

  @Test
  void outputProducedWhileTheBackendIsDownArrivesInOrderAfterReconnectWithoutRestartingTheChild()
      throws Exception {
    ScriptedServer first = server(new ScriptedServer());
    int port = first.port();
    Path go = tmp.resolve("go");
    AgentWrapper w =
        AgentWrapper.create(
            config(
                first.uri(),
                "sh",
                "-c",
                "echo before; while [ ! -f "
                    + go
                    + " ]; do sleep 0.05; done; i=1; while [ $i -le 200 ]; do echo line $i; "
                    + "i=$((i+1)); done; exec sleep 60"),
            (out, id, child) -> new RecordingHandler());
    start(w);
    await().atMost(WAIT).until(() -> outputText(first).contains("before"));
    long childPid = new RunFiles(tmp.resolve("state")).list().get(0).record().childPid();
    first.close();
    await().atMost(WAIT).until(() -> w.state() == LifecycleState.RECONNECTING);
    Files.writeString(go, "x");
    // The child printed all 200 lines while the backend was down once it has exec'd its final
    // sleep.
    await()
        .atMost(WAIT)
        .until(
            () ->
                ProcessHandle.of(childPid)
                    .flatMap(h -> h.info().command())
                    .map(c -> c.endsWith("/sleep"))
                    .orElse(false));
    assertThat(w.state()).isEqualTo(LifecycleState.RECONNECTING);
    ScriptedServer second = server(new ScriptedServer(port));
    await().atMost(WAIT).until(() -> outputText(second).contains("line 200\n"));
    StringBuilder expected = new StringBuilder();
    for (int i = 1; i <= 200; i++) {
      expected.append("line ").append(i).append('\n');
    }
    // "before" reached the first server, but no pong confirmed it before that server went away, so
    // the link
    // may replay it (the real backend drops the repeat by (commandId, sequence)); nothing else may
    // differ
    String got = outputText(second);
    assertThat(got.startsWith("before\n") ? got.substring("before\n".length()) : got)
        .isEqualTo(expected.toString());
    List<Long> seqs =
        second.frames(MessageType.TERMINAL_OUTPUT).stream()
            .map(m -> ((TerminalOutput) m.payload()).sequence())
            .toList();
    assertThat(seqs).isSorted().doesNotHaveDuplicates();
    assertThat(
            second.events().stream()
                .filter(e -> e.kind() == Kind.FRAME)
                .findFirst()
                .map(Event::type))
        .contains(MessageType.AGENT_CONNECT);
    assertThat(new RunFiles(tmp.resolve("state")).list().get(0).record().childPid())
        .isEqualTo(childPid);
    assertThat(w.state()).isEqualTo(LifecycleState.ONLINE);
  }

  @Test
  void secondSignalKillsTheTreeAtOnceInsteadOfWaitingForTheGrace() throws Exception {
    ScriptedServer s = server(new ScriptedServer());
    AgentWrapper w =
        AgentWrapper.create(
            config(s.uri(), stubbornTree().toString())
                .withChildGrace(Duration.ofSeconds(30))
                .withShutdownTimeout(Duration.ofSeconds(60)),
            (out, id, child) -> new RecordingHandler());
    CompletableFuture<Integer> run = start(w);
    long grandchild = pidFrom("grandchild.pid");
    await().atMost(WAIT).until(() -> w.state() == LifecycleState.ONLINE);
    w.onSignal("TERM");
    await().atMost(WAIT).until(() -> w.state() == LifecycleState.STOPPING);
    long t0 = System.nanoTime();
    w.onSignal("TERM");
    assertThat(run.get(10, TimeUnit.SECONDS)).isEqualTo(143);
    assertThat((System.nanoTime() - t0) / 1_000_000)
        .as("ms from second signal to exit")
        .isLessThan(5000);
    await().atMost(WAIT).until(() -> !running(grandchild));
    AgentDisconnect bye =
        (AgentDisconnect) s.awaitFrame(MessageType.AGENT_DISCONNECT, WAIT).payload();
    assertThat(bye.reason()).isEqualTo("Graceful shutdown (SIGTERM)");
    assertThat(bye.exitCode()).isEqualTo(143);
  }

  @Test
  void nextStartWithTheSameAgentIdReapsTheOrphanedTreeOfAKilledWrapper() throws Exception {
    ScriptedServer s = server(new ScriptedServer());
    // An orphan as a SIGKILLed wrapper leaves it: a process group of its own, recorded in a stale
    // run file.
    RunningProcess orphan =
        started(RunningProcess.start("orphan", "setsid", "sh", "-c", "sleep 60 & exec sleep 60"));
    // sh has started its background sleep and exec'd the foreground one: the tree is orphan + one
    // child.
    ProcessHandle orphanTree = orphan.process().toHandle();
    await()
        .atMost(WAIT)
        .until(
            () ->
                orphanTree.children().count() == 1
                    && orphanTree.info().command().map(c -> c.endsWith("/sleep")).orElse(false));
    long orphanChild = orphanTree.children().findFirst().orElseThrow().pid();
    orphan.rememberDescendants(); // so the end of the test kills the child too, orphan gone or not
    // The killed wrapper, recorded with its start time so a recycled pid is never taken for it.
    long deadWrapperPid;
    long deadWrapperStart;
    try (RunningProcess deadWrapper = RunningProcess.start("dead wrapper", "sleep", "60")) {
      deadWrapperPid = deadWrapper.pid();
      deadWrapperStart = RunRecord.startMillisOf(deadWrapperPid);
      deadWrapper.signal("KILL");
      deadWrapper.awaitExit(WAIT);
    }
    RunFiles files = new RunFiles(tmp.resolve("state"));
    files.write(
        new RunRecord(
            "agent-x",
            null,
            "x",
            deadWrapperPid,
            deadWrapperStart,
            "ws://old",
            "ONLINE",
            0,
            orphan.pid(),
            orphan.pid(),
            RunRecord.startMillisOf(orphan.pid()),
            0));
    assertThat(files.list().get(0).alive()).as("stale record").isFalse();

    AgentWrapper w =
        AgentWrapper.create(
            config(s.uri(), "sleep", "60").withAgentId("agent-x"),
            (out, id, child) -> new RecordingHandler());
    CompletableFuture<Integer> run = start(w);
    boolean reaped = orphan.process().waitFor(10, TimeUnit.SECONDS);
    assertThat(reaped)
        .as(
            "orphan reaped; wrapper run: %s",
            run.isDone()
                ? run.handle((c, e) -> e == null ? "exit " + c : e.toString()).join()
                : "running")
        .isTrue();
    await().atMost(WAIT).until(() -> !running(orphanChild));
    await().atMost(WAIT).until(() -> w.state() == LifecycleState.ONLINE);
  }

  @Test
  void shutdownThatOverrunsTheDeadlineEndsWith124AndKillsTheTree() throws Exception {
    ScriptedServer s = server(new ScriptedServer());
    RecordingHandler stuck =
        new RecordingHandler() {
          @Override
          public void cancelAll(String reason, Duration grace) {
            // A handler that never returns: only the hard deadline can end this shutdown.
            try {
              new java.util.concurrent.CountDownLatch(1).await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    AgentWrapper w =
        AgentWrapper.create(
            config(s.uri(), stubbornTree().toString()).withShutdownTimeout(Duration.ofMillis(1500)),
            (out, id, child) -> stuck);
    CompletableFuture<Integer> run = start(w);
    long grandchild = pidFrom("grandchild.pid");
    await().atMost(WAIT).until(() -> w.state() == LifecycleState.ONLINE);
    w.onSignal("TERM");
    assertThat(run.get(10, TimeUnit.SECONDS)).isEqualTo(124);
    await().atMost(WAIT).until(() -> !running(grandchild));
  }

  @Test
  void exitZeroOnSignalTurns143IntoZero() throws Exception {
    ScriptedServer s = server(new ScriptedServer());
    AgentWrapper w =
        AgentWrapper.create(
            config(s.uri(), "sleep", "60").withExitZeroOnSignal(true),
            (out, id, child) -> new RecordingHandler());
    CompletableFuture<Integer> run = start(w);
    await().atMost(WAIT).until(() -> w.state() == LifecycleState.ONLINE);
    w.onSignal("TERM");
    assertThat(run.get(10, TimeUnit.SECONDS)).isZero();
    AgentDisconnect bye =
        (AgentDisconnect) s.awaitFrame(MessageType.AGENT_DISCONNECT, WAIT).payload();
    assertThat(bye.exitCode()).isZero();
  }

  @Test
  void agentControlRestartRestartsTheChildSaysSoAndStaysOnline() throws Exception {
    ScriptedServer s = server(new ScriptedServer());
    AgentWrapper w =
        AgentWrapper.create(
            config(s.uri(), "sleep", "60"), (out, id, child) -> new RecordingHandler());
    CompletableFuture<Integer> run = start(w);
    await().atMost(WAIT).until(() -> w.state() == LifecycleState.ONLINE);
    RunFiles files = new RunFiles(tmp.resolve("state"));
    long before = files.list().get(0).record().childPid();
    s.send(new AgentControl(null, EnumValue.of(ControlAction.RESTART), "stuck", false, null));
    ai.onsembl.protocol.AgentError said =
        (ai.onsembl.protocol.AgentError) s.awaitFrame(MessageType.AGENT_ERROR, WAIT).payload();
    assertThat(said.message()).contains("restarted").contains("stuck");
    assertThat(said.recoverable()).isTrue();
    long after = files.list().get(0).record().childPid();
    assertThat(after).isNotEqualTo(before);
    assertThat(running(before)).isFalse();
    assertThat(running(after)).isTrue();
    assertThat(run).isNotDone();
    assertThat(w.state()).isEqualTo(LifecycleState.ONLINE);
  }

  @Test
  void secondWrapperWithTheSameAgentIdIsRefusedWithExitCode2() throws Exception {
    // The twin: a live process recorded as the wrapper of the same agent id.
    long pid = started(RunningProcess.start("twin", "sleep", "60")).pid();
    new RunFiles(tmp.resolve("state"))
        .write(
            new RunRecord(
                "twin",
                null,
                "twin",
                pid,
                RunRecord.startMillisOf(pid),
                "ws://x",
                "ONLINE",
                System.currentTimeMillis(),
                -1,
                -1,
                0,
                System.currentTimeMillis()));
    AgentWrapper w =
        AgentWrapper.create(
            config(URI.create("ws://127.0.0.1:1"), "sleep", "60").withAgentId("twin"),
            (out, id, child) -> new RecordingHandler());
    assertThatThrownBy(w::run)
        .isInstanceOf(AgentExitException.class)
        .hasMessageContaining("already running")
        .satisfies(e -> assertThat(((AgentExitException) e).exitCode()).isEqualTo(2));
  }

  @Test
  void sameNameKeepsTheSameAgentIdAcrossStarts() throws Exception {
    ai.onsembl.wrapper.run.AgentIds ids = new ai.onsembl.wrapper.run.AgentIds(tmp.resolve("state"));
    String first = ids.forName("My Agent");
    assertThat(first).startsWith("my-agent-");
    assertThat(new ai.onsembl.wrapper.run.AgentIds(tmp.resolve("state")).forName("My Agent"))
        .isEqualTo(first);
    assertThat(ids.forName("other")).isNotEqualTo(first);
  }
}
