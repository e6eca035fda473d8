package ai.onsembl.wrapper.command;

import static ai.onsembl.wrapper.command.Requests.cancel;
import static ai.onsembl.wrapper.command.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.protocol.CommandAck;
import ai.onsembl.protocol.CommandComplete;
import ai.onsembl.protocol.CommandStatus;
import ai.onsembl.protocol.OutputStats;
import ai.onsembl.protocol.Payload;
import ai.onsembl.protocol.StreamType;
import ai.onsembl.protocol.TerminalOutput;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Session mode against a real long-lived child: the mock agent, or a plain shell loop without a
 * marker.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SessionModeTest {
  private static final String BANNER = "Mock agent running...";
  private final RecordingOutbound out = new RecordingOutbound();
  private final AtomicReference<String> agentId = new AtomicReference<>("agent-1");
  private ProcessSessionChild child;
  private CommandRunner runner;

  @AfterEach
  void cleanUp() {
    if (runner != null) {
      runner.close();
    }
    if (child != null) {
      child.close();
    }
  }

  /**
   * The mock agent in session mode; its banner has arrived (under the agent id) when this returns.
   */
  private CommandRunner mockSession(Duration grace) throws IOException {
    // The runner listens before the child starts, as the supervisor must arrange it.
    AtomicReference<CommandRunner> self = new AtomicReference<>();
    child =
        new ProcessSessionChild(
            List.of(Requests.mockAgent().toString()),
            code -> {
              if (self.get() != null) {
                self.get().onSessionChildExit(code);
              }
            });
    runner =
        new CommandRunner(
            CommandSettings.forAgent("mock", CommandSettings.Mode.SESSION).withCancelGrace(grace),
            out,
            agentId::get,
            child);
    self.set(runner);
    child.start();
    await("banner")
        .atMost(Duration.ofSeconds(20))
        .until(() -> out.textOf("agent-1", StreamType.STDOUT).contains(BANNER));
    return runner;
  }

  /** The prompt has reached the mock agent: its {@code sleep} process runs. */
  private void awaitChildSleeping() {
    await("the mock agent's sleep")
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                ProcessHandle.of(child.pid()).stream()
                    .flatMap(ProcessHandle::descendants)
                    .anyMatch(p -> p.info().command().orElse("").endsWith("/sleep")));
  }

  @Test
  void outputBeforeAnyCommandGoesToTheAgentId() throws IOException {
    mockSession(Duration.ofSeconds(3));

    assertThat(out.textOf("agent-1", StreamType.STDOUT)).startsWith(BANNER);
    assertThat(out.outputsFor("agent-1").get(0).sequence()).isEqualTo(1);
  }

  @Test
  void commandIsWrittenAsALineItsOutputIsItsOwnAndTheMarkerCompletesIt() throws IOException {
    mockSession(Duration.ofSeconds(3)).onCommandRequest(request("c1", "hello there"));

    CommandComplete done = out.awaitComplete("c1");
    List<Payload> frames = out.framesFor("c1");
    assertThat(((CommandAck) frames.get(0)).status().value()).isEqualTo(CommandStatus.RECEIVED);
    assertThat(((CommandAck) frames.get(1)).status().value()).isEqualTo(CommandStatus.EXECUTING);
    assertThat(frames).last().isEqualTo(done);
    assertThat(out.textOf("c1", StreamType.STDOUT))
        .isEqualTo("echo: hello there\n[mock-agent] done exit=0\n");
    assertThat(done.status().value()).isEqualTo(CommandStatus.COMPLETED);
    assertThat(done.exitCode()).isZero();
    assertThat(done.outputStats()).isEqualTo(new OutputStats(2L, 2L, 0L));
    assertThat(out.textOf("agent-1", StreamType.STDOUT)).doesNotContain("hello there");
  }

  @Test
  void failReportsTheMarkersExitCodeAndKeepsStderrWithTheCommand() throws IOException {
    mockSession(Duration.ofSeconds(3)).onCommandRequest(request("c1", "fail 2"));

    CommandComplete done = out.awaitComplete("c1");
    assertThat(done.status().value()).isEqualTo(CommandStatus.FAILED);
    assertThat(done.exitCode()).isEqualTo(2);
    assertThat(done.error()).isEqualTo("exit code 2");
    assertThat(out.textOf("c1", StreamType.STDERR))
        .isEqualTo("error: mock agent failing with exit code 2\n");
  }

  @Test
  void commandsRunOneAtATimeAndQueueMeanwhile() throws IOException {
    CommandRunner r = mockSession(Duration.ofSeconds(3));
    r.onCommandRequest(request("c1", "sleep 0.5"));
    r.onCommandRequest(request("c2", "print 10000 lines"));
    r.onCommandRequest(request("c3", "stderr to stderr"));

    assertThat(out.acksFor("c2").get(0).queuePosition()).isEqualTo(1);
    assertThat(out.acksFor("c3").get(0).queuePosition()).isEqualTo(2);
    out.awaitComplete("c3");
    assertThat(out.textOf("c1", StreamType.STDOUT))
        .isEqualTo("slept 0.5\n[mock-agent] done exit=0\n");
    String lines =
        IntStream.rangeClosed(1, 10_000)
            .mapToObj(i -> "line " + i + "\n")
            .collect(Collectors.joining());
    assertThat(out.textOf("c2", StreamType.STDOUT)).isEqualTo(lines + "[mock-agent] done exit=0\n");
    List<TerminalOutput> c2 = out.outputsFor("c2");
    assertThat(c2)
        .extracting(TerminalOutput::sequence)
        .isEqualTo(LongStream.rangeClosed(1, c2.size()).boxed().toList());
    assertThat(c2.size()).isLessThan(500);
    assertThat(out.textOf("c3", StreamType.STDERR)).isEqualTo("to stderr\n");
    assertThat(out.completeOf("c3").status().value()).isEqualTo(CommandStatus.COMPLETED);
  }

  @Test
  void cancelInterruptsTheChildAndTheSessionGoesOn() throws IOException {
    CommandRunner r = mockSession(Duration.ofSeconds(5));
    r.onCommandRequest(request("c1", "sleep 60"));
    awaitChildSleeping();

    r.onCommandCancel(cancel("c1", "stop it"));
    CommandComplete done = out.awaitComplete("c1");
    assertThat(done.status().value()).isEqualTo(CommandStatus.CANCELLED);
    assertThat(done.error()).isEqualTo("stop it");
    assertThat(done.exitCode()).isEqualTo(130);
    assertThat(out.textOf("c1", StreamType.STDOUT))
        .isEqualTo("interrupted\n[mock-agent] done exit=130\n");

    r.onCommandRequest(request("c2", "still here?"));
    assertThat(out.awaitComplete("c2").status().value()).isEqualTo(CommandStatus.COMPLETED);
    assertThat(out.textOf("c2", StreamType.STDOUT))
        .isEqualTo("echo: still here?\n[mock-agent] done exit=0\n");
  }

  @Test
  void timeLimitFailsTheCommandAndTheSessionGoesOn() throws IOException {
    CommandRunner r = mockSession(Duration.ofSeconds(5));
    r.onCommandRequest(Requests.withTimeLimit("c1", "sleep 60", 300));

    CommandComplete done = out.awaitComplete("c1");
    assertThat(done.status().value()).isEqualTo(CommandStatus.FAILED);
    assertThat(done.error()).isEqualTo("time limit exceeded");

    r.onCommandRequest(request("c2", "next"));
    assertThat(out.awaitComplete("c2").status().value()).isEqualTo(CommandStatus.COMPLETED);
  }

  @Test
  void childExitFailsTheCurrentCommandAndLaterOnesSayTheAgentIsGone() throws IOException {
    CommandRunner r = mockSession(Duration.ofSeconds(3));
    r.onCommandRequest(request("c1", "exit 4"));

    CommandComplete done = out.awaitComplete("c1");
    assertThat(done.status().value()).isEqualTo(CommandStatus.FAILED);
    assertThat(done.error()).isEqualTo("agent process exited with code 4");

    r.onCommandRequest(request("c2", "anyone?"));
    CommandComplete c2 = out.awaitComplete("c2");
    assertThat(c2.status().value()).isEqualTo(CommandStatus.FAILED);
    assertThat(c2.error()).isEqualTo("agent process is not running");
  }

  @Test
  void outputOutsideCommandsFollowsTheCurrentAgentId() throws IOException {
    CommandRunner r = mockSession(Duration.ofSeconds(3));
    r.onCommandRequest(request("c1", "sleep 60"));
    awaitChildSleeping();
    agentId.set("agent-2");

    // Forced: the command ends at once; the child's "interrupted" answer then has no command to go
    // to.
    r.onEmergencyStop(new ai.onsembl.protocol.EmergencyStop("test", "dashboard", null));

    assertThat(out.awaitComplete("c1").agentId()).isEqualTo("agent-2");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> out.textOf("agent-2", StreamType.STDOUT).contains("done exit=130"));
    assertThat(out.outputsFor("agent-2").get(0).sequence()).isEqualTo(1);
    assertThat(out.outputsFor("agent-2")).allMatch(t -> t.agentId().equals("agent-2"));
  }

  @Test
  void withoutAMarkerACommandEndsAfterTheQuietPeriod() throws IOException {
    child =
        new ProcessSessionChild(
            List.of("sh", "-c", "while IFS= read -r l; do echo \"got $l\"; done"), code -> {});
    runner =
        new CommandRunner(
            CommandSettings.session(SessionCompletion.quietFor(Duration.ofMillis(300))),
            out,
            agentId::get,
            child);
    child.start();
    runner.onCommandRequest(request("c1", "first"));
    runner.onCommandRequest(request("c2", "$(echo not expanded)"));

    CommandComplete c1 = out.awaitComplete("c1");
    assertThat(c1.status().value()).isEqualTo(CommandStatus.COMPLETED);
    assertThat(c1.exitCode()).isNull();
    assertThat(out.textOf("c1", StreamType.STDOUT)).isEqualTo("got first\n");
    out.awaitComplete("c2");
    assertThat(out.textOf("c2", StreamType.STDOUT)).isEqualTo("got $(echo not expanded)\n");
  }
}
