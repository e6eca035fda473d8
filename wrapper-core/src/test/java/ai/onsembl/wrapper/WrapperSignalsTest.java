package ai.onsembl.wrapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.protocol.AgentDisconnect;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.testing.ScriptedServer;
import ai.onsembl.testing.ScriptedServer.Kind;
import ai.onsembl.wrapper.process.ProcessTree;
import ai.onsembl.wrapper.testing.RunningProcess;
import ai.onsembl.wrapper.testing.WrapperMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Real signals to a real wrapper process (a JVM running {@link WrapperMain} against the scripted
 * server): exit codes 128+N, AGENT_DISCONNECT before the close frame, no surviving descendant.
 */
@Timeout(120)
class WrapperSignalsTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final List<String> JVM_OPTIONS =
      List.of("-Dgrace.ms=700", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
  @TempDir Path tmp;
  private ScriptedServer server;
  private final List<RunningProcess> wrappers = new ArrayList<>();
  private final Set<ProcessHandle> agentTrees = new LinkedHashSet<>();

  @BeforeEach
  void startServer() throws Exception {
    server = new ScriptedServer().start();
  }

  @AfterEach
  void cleanUp() throws Exception {
    try {
      // Each wrapper and every descendant it was seen with, then the agent trees it left
      // (re-parented after a SIGKILL, the escapee in a session of its own): all SIGKILLed.
      wrappers.forEach(RunningProcess::close);
      ProcessTree.killAll(agentTrees, Duration.ofSeconds(5));
    } finally {
      server.close();
    }
  }

  private Path tree() throws Exception {
    Path p = tmp.resolve("tree.sh");
    Files.writeString(
        p,
        """
        #!/bin/sh
        sh -c 'trap "" TERM; while :; do sleep 1; done' &
        echo $! > "%1$s/grandchild.pid"
        setsid sh -c 'trap "" TERM; echo $$ > "%1$s/escapee.pid"; while :; do sleep 1; done' &
        while [ ! -s "%1$s/escapee.pid" ]; do sleep 0.05; done
        echo $$ > "%1$s/child.pid"
        echo "agent ready token=[$ONSEMBL_TOKEN]"
        wait
        """
            .formatted(tmp));
    p.toFile().setExecutable(true);
    return p;
  }

  /** A wrapper JVM running {@link WrapperMain} with the stubborn tree as its agent. */
  private RunningProcess startWrapper() throws Exception {
    return startWrapper(List.of());
  }

  /**
   * As {@link #startWrapper()}, with {@code shell} (a {@code sh -c} script ending in {@code exec
   * ... "$@"}) in front: the JVM, its command line as the script's arguments, keeps the pid.
   */
  private RunningProcess startWrapper(String shell) throws Exception {
    return startWrapper(List.of("sh", "-c", shell, "sh"));
  }

  private RunningProcess startWrapper(List<String> prefix) throws Exception {
    List<String> command = new ArrayList<>(prefix);
    command.addAll(
        RunningProcess.javaCommand(
            JVM_OPTIONS,
            WrapperMain.class,
            server.uri().toString(),
            tmp.resolve("state").toString(),
            "agent-sig",
            tree().toString()));
    RunningProcess p =
        RunningProcess.builder("wrapper", command)
            .env("ONSEMBL_TOKEN", "secret-token-x")
            .mergeStderr()
            .start();
    wrappers.add(p);
    try {
      await()
          .atMost(WAIT)
          .until(
              () ->
                  server.frames(MessageType.TERMINAL_OUTPUT).size() >= 1
                      && Files.exists(tmp.resolve("grandchild.pid")));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(
          "Expected the wrapper to start its agent and stream its output within "
              + WAIT
              + " but got events "
              + server.events()
              + " and\n"
              + p.transcript(),
          e);
    }
    for (String file : List.of("child.pid", "grandchild.pid", "escapee.pid")) {
      ProcessHandle.of(pid(file)).ifPresent(agentTrees::add);
    }
    return p;
  }

  private long pid(String file) throws Exception {
    Path f = tmp.resolve(file);
    await().atMost(WAIT).until(() -> Files.exists(f) && !Files.readString(f).isBlank());
    return Long.parseLong(Files.readString(f).trim());
  }

  private static boolean running(long pid) {
    return ProcessHandle.of(pid).map(ProcessTree::isRunning).orElse(false);
  }

  private void assertGoodbyeThenCloseAndNoSurvivors(RunningProcess wrapper, String signal)
      throws Exception {
    List<String> order =
        server.events().stream()
            .filter(e -> e.kind() != Kind.OPEN)
            .map(e -> e.kind() == Kind.CLOSE ? "CLOSE " + e.code() : e.type().name())
            .filter(x -> !x.equals("TERMINAL_OUTPUT") && !x.equals("AGENT_HEARTBEAT"))
            .toList();
    assertThat(order)
        .as("frames and close, %s", wrapper.transcript())
        .containsExactly("AGENT_CONNECT", "AGENT_DISCONNECT", "CLOSE 1000");
    AgentDisconnect bye =
        (AgentDisconnect) server.frames(MessageType.AGENT_DISCONNECT).get(0).payload();
    assertThat(bye.reason()).isEqualTo("Graceful shutdown (SIG" + signal + ")");
    assertThat(bye.graceful()).isTrue();
    await()
        .atMost(WAIT)
        .until(
            () ->
                !running(pid("child.pid"))
                    && !running(pid("grandchild.pid"))
                    && !running(pid("escapee.pid")));
    assertThat(new ai.onsembl.wrapper.run.RunFiles(tmp.resolve("state")).list()).isEmpty();
  }

  @ParameterizedTest(name = "SIG{0} exits {1}")
  @CsvSource({"TERM, 143", "INT, 130", "HUP, 129"})
  void signalSaysGoodbyeBeforeCloseKillsTheTreeAndExitsWith128PlusN(String signal, int expected)
      throws Exception {
    RunningProcess p = startWrapper();
    await().atMost(WAIT).until(() -> server.frames(MessageType.AGENT_CONNECT).size() == 1);
    p.signal(signal);
    assertThat(p.awaitExit(Duration.ofSeconds(15))).as("wrapper exit code").isEqualTo(expected);
    assertGoodbyeThenCloseAndNoSurvivors(p, signal);
  }

  @Test
  void sigintStopsAWrapperStartedWithSigintIgnoredWhenTheDefaultIsRestoredAsTheLauncherDoes()
      throws Exception {
    // A background job of a non-interactive shell inherits SIGINT ignored and the JVM would never
    // see it (measured on JDK 17); the launcher execs java through env --default-signal=INT, as
    // here.
    RunningProcess q = startWrapper("trap '' INT; exec env --default-signal=INT \"$@\"");
    await().atMost(WAIT).until(() -> server.frames(MessageType.AGENT_CONNECT).size() == 1);
    q.signal("INT");
    assertThat(q.awaitExit(Duration.ofSeconds(15)))
        .as("wrapper exit code on SIGINT")
        .isEqualTo(130);
    assertGoodbyeThenCloseAndNoSurvivors(q, "INT");
  }

  @Test
  void secondSigtermEndsTheWrapperWithinAboutASecondEvenWithAStubbornTree() throws Exception {
    RunningProcess p = startWrapper();
    await().atMost(WAIT).until(() -> server.frames(MessageType.AGENT_CONNECT).size() == 1);
    p.signal("TERM");
    await().atMost(WAIT).until(() -> server.frames(MessageType.AGENT_DISCONNECT).size() == 1);
    long t0 = System.nanoTime();
    p.signal("TERM");
    assertThat(p.awaitExit(Duration.ofSeconds(10))).isEqualTo(143);
    assertThat((System.nanoTime() - t0) / 1_000_000)
        .as("ms from the second signal to exit")
        .isLessThan(3000);
    // The escapee left the agent's session and group: only the wrapper's environment marker finds
    // it.
    await()
        .atMost(WAIT)
        .until(() -> !running(pid("grandchild.pid")) && !running(pid("escapee.pid")));
  }

  @Test
  void sigkillOfTheWrapperLeavesAStaleRunFileAndTheBackendSeesTheSocketClose() throws Exception {
    RunningProcess p = startWrapper();
    await().atMost(WAIT).until(() -> server.frames(MessageType.AGENT_CONNECT).size() == 1);
    p.signal("KILL");
    assertThat(p.awaitExit(Duration.ofSeconds(10))).isEqualTo(137);
    assertThat(server.await(e -> e.kind() == Kind.CLOSE, WAIT))
        .as("socket close seen by the backend")
        .isNotNull();
    var entries = new ai.onsembl.wrapper.run.RunFiles(tmp.resolve("state")).list();
    assertThat(entries).hasSize(1);
    assertThat(entries.get(0).alive()).as("stale").isFalse();
  }

  @Test
  void theAgentDoesNotInheritTheBackendTokenAndTheLogNeverShowsIt() throws Exception {
    RunningProcess p = startWrapper();
    await()
        .atMost(WAIT)
        .until(
            () ->
                server.frames(MessageType.TERMINAL_OUTPUT).stream()
                    .map(m -> ((ai.onsembl.protocol.TerminalOutput) m.payload()).content())
                    .anyMatch(c -> c.contains("token=")));
    String output =
        server.frames(MessageType.TERMINAL_OUTPUT).stream()
            .map(m -> ((ai.onsembl.protocol.TerminalOutput) m.payload()).content())
            .reduce("", String::concat);
    assertThat(output).contains("agent ready token=[]");
    assertThat(server.events().get(0).authorization()).isEqualTo("Bearer secret-token-x");
    p.signal("TERM");
    p.awaitExit(Duration.ofSeconds(15));
    // Everything the wrapper wrote, stdout and stderr, to its end.
    assertThat(String.join("\n", p.stdout())).doesNotContain("secret-token-x");
  }

  @Test
  void nextStartAfterSigkillReapsTheOrphanedTreeAndSaysSo() throws Exception {
    RunningProcess first = startWrapper();
    long oldChild = pid("child.pid");
    long oldGrandchild = pid("grandchild.pid");
    long oldEscapee = pid("escapee.pid");
    first.signal("KILL");
    first.awaitExit(Duration.ofSeconds(10));
    assertThat(running(oldGrandchild)).as("the orphan runs on until the next start").isTrue();
    // The agent itself dies (as one does when its stdout is gone): its descendants are re-parented,
    // the escapee in a session of its own, found only through the wrapper's environment marker.
    ProcessHandle.of(oldChild).ifPresent(ProcessHandle::destroyForcibly);
    await().atMost(WAIT).until(() -> !running(oldChild));
    assertThat(running(oldEscapee)).isTrue();
    Files.delete(tmp.resolve("child.pid"));
    Files.delete(tmp.resolve("grandchild.pid"));
    Files.delete(tmp.resolve("escapee.pid"));

    RunningProcess second = startWrapper();
    await()
        .atMost(WAIT)
        .until(() -> !running(oldChild) && !running(oldGrandchild) && !running(oldEscapee));
    second.awaitStdout(
        l -> l.contains("reaped the orphaned agent of a previous wrapper (pid " + first.pid()),
        WAIT);
    second.signal("TERM");
    assertThat(second.awaitExit(Duration.ofSeconds(15))).isEqualTo(143);
  }
}
