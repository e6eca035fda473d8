package ai.onsembl.wrapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.protocol.AgentControl;
import ai.onsembl.protocol.AgentDisconnect;
import ai.onsembl.protocol.CommandRequest;
import ai.onsembl.protocol.ControlAction;
import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.protocol.TerminalOutput;
import ai.onsembl.testing.ScriptedServer;
import ai.onsembl.testing.ScriptedServer.Kind;
import ai.onsembl.wrapper.command.CommandRunner;
import ai.onsembl.wrapper.command.CommandSettings;
import ai.onsembl.wrapper.run.RunFiles;
import ai.onsembl.wrapper.testing.InProcessWrappers;
import ai.onsembl.wrapper.testing.RecordingHandler;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's last words reach the backend before AGENT_DISCONNECT, and the races of the start,
 * restart and shutdown paths leave nothing running. In-process wrappers (no halt) against a
 * scripted backend, real child processes.
 */
@Timeout(120)
class WrapperLastWordsTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  @TempDir Path tmp;
  private final InProcessWrappers fixture = new InProcessWrappers("lastwords");
  private final String marker = fixture.marker();

  @AfterEach
  void cleanUp() throws Exception {
    fixture.close();
  }

  private ScriptedServer server() throws InterruptedException {
    return fixture.server(new ScriptedServer().serverHeartbeat(Duration.ofSeconds(1)));
  }

  private WrapperConfig config(URI server, String... command) {
    return WrapperConfig.defaults()
        .withServerUrl(server)
        .withStateDir(tmp.resolve("state"))
        .withWorkingDir(tmp)
        .withAgentKind(AgentKind.CUSTOM)
        .withAgentId("lastwords-agent")
        .withCommand(List.of(command))
        .withChildGrace(Duration.ofSeconds(5))
        .withReconnect(Duration.ofMillis(50), Duration.ofMillis(300));
  }

  private CompletableFuture<Integer> start(AgentWrapper w) {
    return fixture.start(w);
  }

  private List<ProcessHandle> withMarker() {
    return fixture.withMarker();
  }

  /**
   * Every TERMINAL_OUTPUT's content and the AGENT_DISCONNECT, in the order the backend received
   * them.
   */
  private static List<String> received(ScriptedServer s) {
    List<String> out = new ArrayList<>();
    for (ScriptedServer.Event e : s.events()) {
      if (e.kind() != Kind.FRAME) {
        continue;
      }
      Message m = e.message();
      if (m.type() == MessageType.TERMINAL_OUTPUT) {
        out.add(((TerminalOutput) m.payload()).content());
      } else if (m.type() == MessageType.AGENT_DISCONNECT) {
        out.add("AGENT_DISCONNECT");
      } else if (m.type() == MessageType.COMMAND_COMPLETE) {
        out.add("COMMAND_COMPLETE");
      }
    }
    return out;
  }

  /**
   * The text the backend received before AGENT_DISCONNECT (fails when no AGENT_DISCONNECT came).
   */
  private static String textBeforeGoodbye(ScriptedServer s) {
    List<String> r = received(s);
    int bye = r.indexOf("AGENT_DISCONNECT");
    assertThat(bye).as("AGENT_DISCONNECT received; frames: %s", r).isGreaterThanOrEqualTo(0);
    return String.join("", r.subList(0, bye));
  }

  @Test
  void theLastLinesOfAnAgentThatExitsArriveBeforeTheGoodbye() throws Exception {
    // A wrapper stopping after its agent printed and exited, 20 times: before the fix every run
    // lost a line.
    for (int i = 0; i < 20; i++) {
      ScriptedServer s = server();
      AgentWrapper w =
          AgentWrapper.create(
              config(
                  s.uri(),
                  "sh",
                  "-c",
                  "sleep 0.1; echo fatal-out; echo fatal-err >&2; exit 3",
                  marker),
              (out, id, child) -> new RecordingHandler());
      CompletableFuture<Integer> run = start(w);
      assertThat(run.get(20, TimeUnit.SECONDS)).isEqualTo(3);
      String before = textBeforeGoodbye(s);
      assertThat(before).as("run %d", i).contains("fatal-out\n").contains("fatal-err\n");
      fixture.done(w, s);
    }
  }

  @Test
  void whatAnAgentPrintsOnSigtermArrivesBeforeTheGoodbye() throws Exception {
    for (int i = 0; i < 10; i++) {
      ScriptedServer s = server();
      AgentWrapper w =
          AgentWrapper.create(
              config(
                  s.uri(),
                  "sh",
                  "-c",
                  "trap 'echo bye; exit 0' TERM; echo ready; while :; do sleep 0.05; done",
                  marker),
              (out, id, child) -> new RecordingHandler());
      CompletableFuture<Integer> run = start(w);
      await().atMost(WAIT).until(() -> String.join("", received(s)).contains("ready"));
      w.onSignal("TERM");
      assertThat(run.get(20, TimeUnit.SECONDS)).isEqualTo(143);
      assertThat(textBeforeGoodbye(s)).as("run %d", i).contains("bye\n");
      fixture.done(w, s);
    }
  }

  @Test
  void theAgentAndItsChildHearSigtermOnceWhenTheWrapperStops() throws Exception {
    // Many programs take a second SIGTERM as "stop now, skip the cleanup". The agent (a shell that
    // notes every SIGTERM it gets and lives on) and its child (the same) must each get exactly one,
    // then SIGKILL after the grace. Busy loops: a trap runs between two builtins, so signals a
    // millisecond apart are counted apart; before, the agent got four (the signal's own, the
    // stop's, the walk's and the group's).
    Path agentTerms = tmp.resolve("agent-terms");
    Path childTerms = tmp.resolve("child-terms");
    ScriptedServer s = server();
    String child = "trap 'echo term >> " + childTerms + "' TERM; while :; do :; done";
    AgentWrapper w =
        AgentWrapper.create(
            config(
                    s.uri(),
                    "sh",
                    "-c",
                    "trap 'echo term >> "
                        + agentTerms
                        + "' TERM; sh -c \""
                        + child
                        + "\" child-"
                        + marker
                        + " & echo ready; while :; do :; done",
                    marker)
                .withChildGrace(Duration.ofSeconds(1)),
            (out, id, ch) -> new RecordingHandler());
    CompletableFuture<Integer> run = start(w);
    await().atMost(WAIT).until(() -> String.join("", received(s)).contains("ready"));
    await().atMost(WAIT).until(() -> withMarker().size() >= 2);
    w.onSignal("TERM");
    assertThat(run.get(20, TimeUnit.SECONDS)).isEqualTo(143);
    await().atMost(WAIT).until(() -> withMarker().isEmpty());
    assertThat(Files.readAllLines(agentTerms))
        .as("SIGTERMs the agent noted")
        .containsExactly("term");
    assertThat(Files.readAllLines(childTerms))
        .as("SIGTERMs its child noted")
        .containsExactly("term");
  }

  @Test
  void anAgentThatIgnoresSigtermGoesOfflineWhileItsGraceRunsOn() throws Exception {
    ScriptedServer s = server();
    AgentWrapper w =
        AgentWrapper.create(
            config(
                s.uri(),
                "sh",
                "-c",
                "trap '' TERM; echo ready; while :; do sleep 0.05; done",
                marker),
            (out, id, child) -> new RecordingHandler());
    CompletableFuture<Integer> run = start(w);
    await().atMost(WAIT).until(() -> String.join("", received(s)).contains("ready"));
    long signalled = System.nanoTime();
    w.onSignal("TERM");
    s.awaitFrame(MessageType.AGENT_DISCONNECT, WAIT);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
    // The goodbye came while the 5 s grace still runs: the agent is alive at that moment.
    assertThat(withMarker())
        .as("agent still in its grace when the goodbye arrived (after %d ms)", millis)
        .isNotEmpty();
    assertThat(millis).as("SIGTERM -> AGENT_DISCONNECT").isLessThan(4000);
    assertThat(run.get(20, TimeUnit.SECONDS)).isEqualTo(143);
    assertThat(withMarker()).isEmpty();
  }

  @Test
  void aMemberOfTheAgentsGroupThatOutlivesItGetsTheSameGrace() throws Exception {
    ScriptedServer s = server();
    Path done = tmp.resolve("member-done");
    // The member needs 300 ms after SIGTERM to finish; the agent exits at once. Before the fix the
    // member got
    // SIGKILL right after SIGTERM (the wait ended when the agent was gone).
    AgentWrapper w =
        AgentWrapper.create(
            config(
                s.uri(),
                "sh",
                "-c",
                "sh -c 'trap \"sleep 0.3; echo member-bye; echo x > "
                    + done
                    + "; exit 0\" TERM; "
                    + "while :; do sleep 0.05; done' & sleep 0.3; exit 3",
                marker),
            (out, id, child) -> new RecordingHandler());
    CompletableFuture<Integer> run = start(w);
    assertThat(run.get(20, TimeUnit.SECONDS)).isEqualTo(3);
    assertThat(done).as("the member finished its SIGTERM handler").exists();
    assertThat(textBeforeGoodbye(s)).contains("member-bye");
    assertThat(withMarker()).isEmpty();
  }

  @Test
  void inExecModeCommandCompleteFollowsTheCommandsLastOutput() throws Exception {
    ScriptedServer s = server();
    CommandSettings settings = CommandSettings.exec(List.of("sh", "-c", "{prompt}"));
    AgentWrapper w =
        AgentWrapper.create(
            config(s.uri()).withAgentKind(AgentKind.CUSTOM).withCommand(List.of()),
            (out, id, child) -> new CommandRunner(settings, out, id, child));
    CompletableFuture<Integer> run = start(w);
    await().atMost(WAIT).until(() -> w.state() == LifecycleState.ONLINE);
    s.send(
        new CommandRequest(
            null,
            "c-2",
            "trap 'echo command-bye; exit 0' TERM; echo started; "
                + "while :; do sleep 0.05; done # "
                + marker,
            "x",
            null,
            5,
            null,
            null,
            null,
            null));
    await().atMost(WAIT).until(() -> String.join("", received(s)).contains("started"));
    w.onSignal("TERM");
    assertThat(run.get(20, TimeUnit.SECONDS)).isEqualTo(143);
    List<String> r = received(s);
    // Everything the command printed (its `bye`, a shell's "Terminated" for the killed sleep) comes
    // first,
    // then its COMMAND_COMPLETE, then the goodbye.
    assertThat(r).as("frames %s", r).endsWith("COMMAND_COMPLETE", "AGENT_DISCONNECT");
    assertThat(r.subList(0, r.size() - 2))
        .as("frames %s", r)
        .doesNotContain("COMMAND_COMPLETE", "AGENT_DISCONNECT")
        .anyMatch(t -> t.contains("command-bye"));
  }

  @Test
  void aSignalBetweenTheTrapAndTheChildsStartLeavesNoChildRunning() throws Exception {
    ScriptedServer s = server();
    AgentWrapper w =
        AgentWrapper.create(
            config(s.uri(), "sh", "-c", "sleep 60; :", marker),
            (out, id, child) -> new RecordingHandler());
    w.seam =
        point -> {
          if (point.equals("child-start")) {
            w.onSignal("TERM");
            // the whole shutdown runs before the start goes on
            await()
                .atMost(WAIT)
                .until(
                    () ->
                        w.state() == LifecycleState.STOPPING
                            || w.state() == LifecycleState.STOPPED);
            await().pollDelay(Duration.ofMillis(200)).atMost(WAIT).until(() -> true);
          }
        };
    CompletableFuture<Integer> run = start(w);
    assertThat(run.get(20, TimeUnit.SECONDS)).isEqualTo(143);
    assertThat(withMarker()).as("agent started after the signal").isEmpty();
    assertThat(new RunFiles(tmp.resolve("state")).list()).isEmpty();
  }

  @Test
  void aStopBetweenTheRestartsCheckAndItsStartLeavesNoChildRunning() throws Exception {
    ScriptedServer s = server();
    AgentWrapper w =
        AgentWrapper.create(
            config(s.uri(), "sh", "-c", "sleep 60; :", marker),
            (out, id, child) -> new RecordingHandler());
    CompletableFuture<Integer> run = start(w);
    await().atMost(WAIT).until(() -> w.state() == LifecycleState.ONLINE);
    CompletableFuture<Void> stopped = new CompletableFuture<>();
    w.seam =
        point -> {
          if (point.equals("restart-start")) {
            w.stop("stopped during the restart");
            await().atMost(WAIT).until(() -> w.state() == LifecycleState.STOPPED || run.isDone());
            stopped.complete(null);
          }
        };
    s.send(new AgentControl(null, EnumValue.of(ControlAction.RESTART), "test", true, null));
    stopped.get(20, TimeUnit.SECONDS);
    assertThat(run.get(20, TimeUnit.SECONDS)).isZero();
    await().pollDelay(Duration.ofMillis(300)).atMost(WAIT).until(() -> true);
    assertThat(withMarker()).as("agent started by a restart after the stop").isEmpty();
  }

  @Test
  void aRestartWhoseStartKeepsFailingStopsTheWrapperWithExitCode5AndSaysWhy() throws Exception {
    ScriptedServer s = server();
    Path agent = tmp.resolve("agent.sh");
    Files.writeString(agent, "#!/bin/sh\nsleep 60\n");
    agent.toFile().setExecutable(true);
    AgentWrapper w =
        AgentWrapper.create(
            config(s.uri(), agent.toString(), marker), (out, id, child) -> new RecordingHandler());
    CompletableFuture<Integer> run = start(w);
    await().atMost(WAIT).until(() -> w.state() == LifecycleState.ONLINE);
    Files.delete(agent);
    s.send(new AgentControl(null, EnumValue.of(ControlAction.RESTART), "test", true, null));
    assertThat(run.get(20, TimeUnit.SECONDS))
        .isEqualTo(AgentExitException.RESTART_FAILED)
        .isEqualTo(5);
    AgentDisconnect bye =
        (AgentDisconnect) s.awaitFrame(MessageType.AGENT_DISCONNECT, WAIT).payload();
    assertThat(bye.reason())
        .contains("could not be restarted")
        .contains("3 attempts")
        .contains("agent.sh");
    assertThat(bye.exitCode()).isEqualTo(5);
    assertThat(withMarker()).isEmpty();
  }

  @Test
  void anErrorInTheOutputPumpStopsTheWrapperWithExitCode1() throws Exception {
    ScriptedServer s = server();
    Path go = tmp.resolve("go");
    AgentWrapper w =
        AgentWrapper.create(
            config(
                s.uri(),
                "sh",
                "-c",
                "while [ ! -f " + go + " ]; do sleep 0.05; done; echo boom; sleep 60; :",
                marker),
            (out, id, child) -> {
              child.setOutputListener(
                  (stream, text) -> {
                    throw new OutOfMemoryError("test: no memory for the output");
                  });
              return new RecordingHandler();
            });
    CompletableFuture<Integer> run = start(w);
    await().atMost(WAIT).until(() -> w.state() == LifecycleState.ONLINE);
    Files.writeString(go, "x");
    assertThat(run.get(20, TimeUnit.SECONDS)).isEqualTo(1);
    AgentDisconnect bye =
        (AgentDisconnect) s.awaitFrame(MessageType.AGENT_DISCONNECT, WAIT).payload();
    assertThat(bye.reason()).contains("internal error").contains("OutOfMemoryError");
    assertThat(withMarker()).isEmpty();
  }

  @Test
  void anErrorOnTheLinkThreadStopsTheWrapperWithExitCode1() throws Exception {
    ScriptedServer s = server();
    AgentWrapper w =
        AgentWrapper.create(
            config(s.uri(), "sh", "-c", "sleep 60; :", marker),
            (out, id, child) ->
                new RecordingHandler() {
                  @Override
                  public void onCommandRequest(CommandRequest request) {
                    throw new StackOverflowError("test: handler blew its stack");
                  }
                });
    CompletableFuture<Integer> run = start(w);
    await().atMost(WAIT).until(() -> w.state() == LifecycleState.ONLINE);
    s.send(new CommandRequest(null, "c-1", "x", "x", null, 5, null, null, null, null));
    assertThat(run.get(20, TimeUnit.SECONDS)).isEqualTo(1);
    AgentDisconnect bye =
        (AgentDisconnect) s.awaitFrame(MessageType.AGENT_DISCONNECT, WAIT).payload();
    assertThat(bye.reason()).contains("internal error").contains("StackOverflowError");
    assertThat(withMarker()).isEmpty();
  }
}
