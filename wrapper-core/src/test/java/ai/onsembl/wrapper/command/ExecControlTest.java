package ai.onsembl.wrapper.command;

import static ai.onsembl.wrapper.command.Requests.cancel;
import static ai.onsembl.wrapper.command.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.protocol.ActivityState;
import ai.onsembl.protocol.AgentError;
import ai.onsembl.protocol.CommandAck;
import ai.onsembl.protocol.CommandCancel;
import ai.onsembl.protocol.CommandComplete;
import ai.onsembl.protocol.CommandStatus;
import ai.onsembl.protocol.EmergencyStop;
import ai.onsembl.protocol.StreamType;
import ai.onsembl.wrapper.command.CommandHandler.CommandStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Queueing, cancelling, time limits, emergency stop, pause and shutdown, with real processes. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ExecControlTest {
  private static final Duration GRACE = Duration.ofMillis(300);
  private final RecordingOutbound out = new RecordingOutbound();
  private final List<Long> pidsToReap = new ArrayList<>();
  private CommandRunner runner;

  @AfterEach
  void cleanUp() {
    if (runner != null) {
      runner.close();
    }
    pidsToReap.forEach(Pids::killIfRunning);
    await("no child process of the test JVM left")
        .atMost(Duration.ofSeconds(10))
        .until(() -> ProcessHandle.current().descendants().noneMatch(ProcessHandle::isAlive));
  }

  @Test
  void closeReleasesTheRunnersThreads() {
    CommandRunner r = mockRunner(2);
    r.onCommandRequest(request("c1", "sleep 0.2"));
    r.onCommandRequest(request("c2", "sleep 60"));
    out.awaitComplete("c1");

    r.close();

    assertThat(out.completeOf("c2").error()).isEqualTo("agent shutting down");
    await("runner threads gone")
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(
                        t -> t.getName().startsWith("onsembl-command-worker") && t.isAlive()));
  }

  private CommandRunner mockRunner(int concurrency) {
    runner =
        new CommandRunner(
            Requests.mockExec().withConcurrency(concurrency).withCancelGrace(GRACE),
            out,
            () -> "agent-1",
            null);
    return runner;
  }

  private CommandStatus status(String commandId) {
    return out.awaitComplete(commandId).status().value();
  }

  private List<CommandStatus> ackStatuses(String commandId) {
    return out.acksFor(commandId).stream().map(a -> a.status().value()).toList();
  }

  private void awaitExecuting(String commandId) {
    await(commandId + " EXECUTING")
        .atMost(Duration.ofSeconds(20))
        .until(() -> ackStatuses(commandId).contains(CommandStatus.EXECUTING));
  }

  @Test
  void requestsBeyondConcurrencyOneAreQueuedWithPositionsAndRunInOrder() {
    CommandRunner r = mockRunner(1);
    r.onCommandRequest(request("c1", "sleep 0.5"));
    r.onCommandRequest(request("c2", "two"));
    r.onCommandRequest(request("c3", "three"));

    assertThat(out.acksFor("c2").get(0))
        .isEqualTo(
            new CommandAck(
                "c2", "agent-1", ai.onsembl.protocol.EnumValue.of(CommandStatus.QUEUED), 1));
    assertThat(out.acksFor("c3").get(0).queuePosition()).isEqualTo(2);
    assertThat(r.activityState()).isEqualTo(ActivityState.PROCESSING);
    assertThat(r.queuedCommandIds()).containsExactly("c2", "c3");
    assertThat(status("c3")).isEqualTo(CommandStatus.COMPLETED);
    assertThat(ackStatuses("c1")).containsExactly(CommandStatus.RECEIVED, CommandStatus.EXECUTING);
    assertThat(ackStatuses("c2")).containsExactly(CommandStatus.QUEUED, CommandStatus.EXECUTING);
    // One at a time: each command completes before the next one is EXECUTING.
    List<Object> order =
        out.frames().stream()
            .filter(
                f ->
                    f instanceof CommandComplete
                        || (f instanceof CommandAck a && a.status().is(CommandStatus.EXECUTING)))
            .map(
                f ->
                    (Object)
                        (RecordingOutbound.commandIdOf(f)
                            + (f instanceof CommandComplete ? " done" : " exec")))
            .toList();
    assertThat(order)
        .containsExactly("c1 exec", "c1 done", "c2 exec", "c2 done", "c3 exec", "c3 done");
  }

  @Test
  void concurrencyTwoRunsTwoCommandsAtOnce() {
    CommandRunner r = mockRunner(2);
    r.onCommandRequest(request("c1", "sleep 1"));
    r.onCommandRequest(request("c2", "sleep 1"));
    r.onCommandRequest(request("c3", "three"));

    assertThat(ackStatuses("c2")).containsExactly(CommandStatus.RECEIVED, CommandStatus.EXECUTING);
    assertThat(out.acksFor("c3").get(0).queuePosition()).isEqualTo(1);
    assertThat(status("c3")).isEqualTo(CommandStatus.COMPLETED);
  }

  @Test
  void cancelStopsTheWholeTreeIncludingATermIgnoringGrandchild() {
    CommandRunner r = mockRunner(1);
    r.onCommandRequest(request("c1", "spawn-grandchild"));
    out.awaitOutput("c1", "grandchild pid");
    long grandchild = Pids.grandchildPid(out.textOf("c1", StreamType.STDOUT));
    pidsToReap.add(grandchild);
    assertThat(Pids.isRunning(grandchild)).isTrue();

    r.onCommandCancel(cancel("c1", "user asked"));

    CommandComplete done = out.awaitComplete("c1");
    assertThat(done.status().value()).isEqualTo(CommandStatus.CANCELLED);
    assertThat(done.error()).isEqualTo("user asked");
    assertThat(out.textOf("c1", StreamType.STDERR)).as("no shell job noise").isEmpty();
    await("grandchild " + grandchild + " gone")
        .atMost(Duration.ofSeconds(10))
        .until(() -> !Pids.isRunning(grandchild));
  }

  @Test
  void cancelEscalatesToKillWhenTheAgentIgnoresTerm() {
    CommandRunner r = mockRunner(1);
    r.onCommandRequest(request("c1", "ignore-sigterm"));
    out.awaitOutput("c1", "ignoring SIGTERM");

    r.onCommandCancel(cancel("c1", null));

    CommandComplete done = out.awaitComplete("c1");
    assertThat(done.status().value()).isEqualTo(CommandStatus.CANCELLED);
    assertThat(done.error()).isEqualTo("cancelled");
    assertThat(done.exitCode()).isEqualTo(137);
  }

  @Test
  void forcedCancelKillsWithoutWaitingForTheGrace() {
    runner =
        new CommandRunner(
            Requests.mockExec().withCancelGrace(Duration.ofMinutes(5)), out, () -> "agent-1", null);
    runner.onCommandRequest(request("c1", "ignore-sigterm"));
    out.awaitOutput("c1", "ignoring SIGTERM");

    runner.onCommandCancel(new CommandCancel(null, "c1", "now", true));

    CommandComplete done = out.awaitComplete("c1", Duration.ofSeconds(30));
    assertThat(done.status().value()).isEqualTo(CommandStatus.CANCELLED);
    assertThat(done.exitCode()).isEqualTo(137);
  }

  @Test
  void cancelOfAQueuedCommandCompletesItWithoutRunningIt() {
    CommandRunner r = mockRunner(1);
    r.onCommandRequest(request("c1", "sleep 0.5"));
    r.onCommandRequest(request("c2", "never"));
    r.onCommandCancel(cancel("c2", "changed my mind"));

    CommandComplete done = out.awaitComplete("c2");
    assertThat(done.status().value()).isEqualTo(CommandStatus.CANCELLED);
    assertThat(done.error()).isEqualTo("changed my mind");
    assertThat(ackStatuses("c2")).containsExactly(CommandStatus.QUEUED);
    assertThat(status("c1")).isEqualTo(CommandStatus.COMPLETED);
    assertThat(out.outputsFor("c2")).isEmpty();
  }

  @Test
  void timeLimitCompletesFailedTimeLimitExceeded() {
    CommandRunner r = mockRunner(1);
    r.onCommandRequest(Requests.withTimeLimit("c1", "sleep 60", 300));

    CommandComplete done = out.awaitComplete("c1");
    assertThat(done.status().value()).isEqualTo(CommandStatus.FAILED);
    assertThat(done.error()).isEqualTo("time limit exceeded");
    assertThat(done.exitCode()).isEqualTo(143);
    assertThat(out.outputsFor("c1")).as("a killed sleep leaves no shell job noise").isEmpty();
    assertThat(done.executionTime()).isGreaterThanOrEqualTo(300L);
  }

  @Test
  void commandWithinItsTimeLimitCompletesNormally() {
    CommandRunner r = mockRunner(1);
    r.onCommandRequest(Requests.withTimeLimit("c1", "quick", 30_000));

    assertThat(status("c1")).isEqualTo(CommandStatus.COMPLETED);
  }

  @Test
  void emergencyStopCancelsRunningAndQueuedAtOnceThenNewWorkRuns() {
    CommandRunner r = mockRunner(1);
    r.onCommandRequest(request("c1", "ignore-sigterm"));
    r.onCommandRequest(request("c2", "sleep 60"));
    out.awaitOutput("c1", "ignoring SIGTERM");

    r.onEmergencyStop(new EmergencyStop("operator", "dashboard", System.currentTimeMillis()));

    CommandComplete c1 = out.awaitComplete("c1");
    CommandComplete c2 = out.awaitComplete("c2");
    assertThat(c1.status().value()).isEqualTo(CommandStatus.CANCELLED);
    assertThat(c1.error()).isEqualTo("emergency stop: operator");
    assertThat(c1.exitCode()).isEqualTo(137);
    assertThat(c2.status().value()).isEqualTo(CommandStatus.CANCELLED);
    assertThat(ackStatuses("c2")).containsExactly(CommandStatus.QUEUED);

    r.onCommandRequest(request("c3", "after the stop"));
    assertThat(status("c3")).isEqualTo(CommandStatus.COMPLETED);
  }

  @Test
  void pauseQueuesNewCommandsAndResumeStartsThem() {
    CommandRunner r = mockRunner(1);
    r.pause();
    r.onCommandRequest(request("c1", "one"));
    r.onCommandRequest(request("c2", "two"));

    assertThat(r.isPaused()).isTrue();
    assertThat(out.acksFor("c1")).extracting(CommandAck::queuePosition).containsExactly(1);
    assertThat(out.acksFor("c2")).extracting(CommandAck::queuePosition).containsExactly(2);
    assertThat(r.activityState()).isEqualTo(ActivityState.QUEUED);
    assertThat(out.completeOf("c1")).isNull();

    r.resume();

    assertThat(status("c1")).isEqualTo(CommandStatus.COMPLETED);
    assertThat(status("c2")).isEqualTo(CommandStatus.COMPLETED);
    assertThat(ackStatuses("c1")).containsExactly(CommandStatus.QUEUED, CommandStatus.EXECUTING);
  }

  @Test
  void pauseLetsTheRunningCommandFinish() {
    CommandRunner r = mockRunner(1);
    r.onCommandRequest(request("c1", "sleep 0.3"));
    awaitExecuting("c1");
    r.pause();

    assertThat(status("c1")).isEqualTo(CommandStatus.COMPLETED);
  }

  @Test
  void cancelAllCancelsEverythingWaitsAndRefusesNewWork() {
    CommandRunner r = mockRunner(1);
    r.onCommandRequest(request("c1", "ignore-sigterm"));
    r.onCommandRequest(request("c2", "queued"));
    out.awaitOutput("c1", "ignoring SIGTERM");

    r.cancelAll("agent shutting down", Duration.ofMillis(300));

    // cancelAll returns only after the COMMAND_COMPLETEs are out.
    assertThat(out.completeOf("c1")).isNotNull();
    assertThat(out.completeOf("c1").status().value()).isEqualTo(CommandStatus.CANCELLED);
    assertThat(out.completeOf("c1").error()).isEqualTo("agent shutting down");
    assertThat(out.completeOf("c2").status().value()).isEqualTo(CommandStatus.CANCELLED);
    assertThat(r.activityState()).isEqualTo(ActivityState.IDLE);

    r.onCommandRequest(request("c3", "too late"));
    CommandComplete c3 = out.awaitComplete("c3");
    assertThat(c3.status().value()).isEqualTo(CommandStatus.CANCELLED);
    assertThat(c3.error()).isEqualTo("agent shutting down");
    assertThat(out.acksFor("c3")).isEmpty();
  }

  @Test
  void tenMegabytePromptFailsClearlyAndTheRunnerKeepsWorking() {
    CommandRunner r = mockRunner(1);
    r.onCommandRequest(request("big", "x".repeat(10 * 1024 * 1024)));

    CommandComplete done = out.awaitComplete("big");
    assertThat(done.status().value()).isEqualTo(CommandStatus.FAILED);
    assertThat(done.error())
        .startsWith("prompt too large: at least 10485760 bytes, the limit is 100000 bytes");
    assertThat(ackStatuses("big")).containsExactly(CommandStatus.RECEIVED);

    r.onCommandRequest(request("small", "y".repeat(90_000)));
    assertThat(status("small")).isEqualTo(CommandStatus.COMPLETED);
    assertThat(out.textOf("small", StreamType.STDOUT)).hasSize("echo: ".length() + 90_000 + 1);
  }

  @Test
  void duplicateCommandIdWhileRunningIsRefusedWithAgentErrorAndTheFirstRunsOn() {
    CommandRunner r = mockRunner(1);
    r.onCommandRequest(request("c1", "sleep 0.5"));
    r.onCommandRequest(request("c1", "again"));

    List<AgentError> errors = out.errors();
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0).message()).contains("Duplicate", "c1", "EXECUTING");
    assertThat(errors.get(0).details()).containsEntry("commandId", "c1");
    assertThat(status("c1")).isEqualTo(CommandStatus.COMPLETED);
    assertThat(out.textOf("c1", StreamType.STDOUT)).isEqualTo("slept 0.5\n");
    assertThat(out.framesFor("c1").stream().filter(f -> f instanceof CommandComplete)).hasSize(1);
  }

  @Test
  void requestWithoutTextCompletesFailed() {
    mockRunner(1).onCommandRequest(request("c1", null));

    CommandComplete done = out.awaitComplete("c1");
    assertThat(done.status().value()).isEqualTo(CommandStatus.FAILED);
    assertThat(done.error()).contains("neither content nor command");
  }

  @Test
  void aFinishedCommandLeavesNoProcessBehind() {
    runner = new CommandRunner(Requests.shellExec(), out, () -> "agent-1", null);
    runner.onCommandRequest(
        request(
            "c1", "trap '' TERM; sleep 300 </dev/null >/dev/null 2>&1 & echo grandchild pid $!"));

    assertThat(status("c1")).isEqualTo(CommandStatus.COMPLETED);
    long grandchild = Pids.grandchildPid(out.textOf("c1", StreamType.STDOUT));
    pidsToReap.add(grandchild);
    await("left-over " + grandchild + " gone")
        .atMost(Duration.ofSeconds(10))
        .until(() -> !Pids.isRunning(grandchild));
  }

  @Test
  void statsCountCompletedCommandsAndTheirMeanTime() {
    CommandRunner r = mockRunner(1);
    assertThat(r.stats()).isEqualTo(new CommandStats(0, 0.0));
    r.onCommandRequest(request("c1", "sleep 0.2"));
    r.onCommandRequest(request("c2", "fail 1"));
    out.awaitComplete("c2");

    CommandStats stats = r.stats();
    assertThat(stats.commandsProcessed()).isEqualTo(2);
    assertThat(stats.averageResponseTimeMillis()).isGreaterThanOrEqualTo(100.0);
  }

  @Test
  void cancelOfAnUnknownCommandChangesNothing() {
    CommandRunner r = mockRunner(1);
    r.onCommandCancel(cancel("nope", "x"));
    r.onCommandRequest(request("c1", "fine"));

    assertThat(status("c1")).isEqualTo(CommandStatus.COMPLETED);
    assertThat(out.completeOf("nope")).isNull();
  }
}
