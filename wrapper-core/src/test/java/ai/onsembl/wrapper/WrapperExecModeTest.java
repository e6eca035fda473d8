package ai.onsembl.wrapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.protocol.AgentHeartbeat;
import ai.onsembl.protocol.CommandAck;
import ai.onsembl.protocol.CommandComplete;
import ai.onsembl.protocol.CommandRequest;
import ai.onsembl.protocol.CommandStatus;
import ai.onsembl.protocol.HealthMetrics;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.testing.ScriptedServer;
import ai.onsembl.wrapper.command.CommandRunner;
import ai.onsembl.wrapper.command.CommandSettings;
import ai.onsembl.wrapper.process.ProcessTree;
import ai.onsembl.wrapper.run.RunFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Headless exec mode: no long-lived agent process, one process per command, metrics of the
 * commands' trees.
 */
@Timeout(60)
class WrapperExecModeTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  @TempDir Path tmp;
  private ScriptedServer server;
  private AgentWrapper wrapper;
  private CompletableFuture<Integer> run;

  @AfterEach
  void cleanUp() throws Exception {
    if (wrapper != null) {
      wrapper.stop("test over");
      run.get(20, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close();
    }
  }

  private static CommandRequest request(String id, String text) {
    return new CommandRequest(null, id, text, text, null, null, null, null, null, null);
  }

  private List<ProcessHandle> agentProcesses() {
    return ProcessTree.withEnvironment("ONSEMBL_AGENT_ID", "exec-agent");
  }

  @Test
  void execModeStartsNoAgentChildYetRunsCommandsReportsTheirMetricsAndStopsOnSigterm()
      throws Exception {
    server = new ScriptedServer().serverHeartbeat(Duration.ofMillis(300)).start();
    // A custom agent with no command at all: in exec mode the template is all it needs.
    WrapperConfig config =
        WrapperConfig.defaults()
            .withServerUrl(server.uri())
            .withStateDir(tmp.resolve("state"))
            .withWorkingDir(tmp)
            .withAgentKind(AgentKind.CUSTOM)
            .withAgentId("exec-agent");
    CommandSettings settings =
        CommandSettings.exec(List.of("sh", "-c", "{prompt}"))
            .withEnvironment(java.util.Map.of("EXEC_MARK", "exec-agent-command"));
    wrapper =
        AgentWrapper.create(
            config, (out, id, child) -> new CommandRunner(settings, out, id, child));
    run = CompletableFuture.supplyAsync(wrapper::run);
    await().atMost(WAIT).until(() -> wrapper.state() == LifecycleState.ONLINE);

    assertThat(agentProcesses()).as("no long-lived agent process in exec mode").isEmpty();
    assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList())
        .as("the wrapper has no child between commands")
        .isEmpty();
    assertThat(new RunFiles(tmp.resolve("state")).read("exec-agent"))
        .hasValueSatisfying(r -> assertThat(r.childPid()).isEqualTo(-1));

    // A command whose process holds some memory: the heartbeats' metrics are its tree's.
    server.send(
        request(
            "c-1", "python3 -c 'import time; b = bytearray(40 << 20); time.sleep(4)' ; echo done"));
    await()
        .atMost(WAIT)
        .until(
            () ->
                server.frames(MessageType.COMMAND_ACK).stream()
                    .map(m -> (CommandAck) m.payload())
                    .anyMatch(a -> a.status().is(CommandStatus.EXECUTING)));
    await()
        .atMost(WAIT)
        .until(
            () ->
                server.frames(MessageType.AGENT_HEARTBEAT).stream()
                    .map(m -> ((AgentHeartbeat) m.payload()).healthMetrics())
                    .map(HealthMetrics::memoryUsage)
                    .anyMatch(mb -> mb != null && mb >= 30));
    CommandComplete done =
        await()
            .atMost(WAIT)
            .until(
                () ->
                    server.frames(MessageType.COMMAND_COMPLETE).stream()
                        .map(m -> (CommandComplete) m.payload())
                        .findFirst()
                        .orElse(null),
                c -> c != null);
    assertThat(done.status().value()).isEqualTo(CommandStatus.COMPLETED);
    await()
        .atMost(WAIT)
        .until(() -> ProcessHandle.current().children().noneMatch(ProcessHandle::isAlive));

    wrapper.onSignal("TERM");
    assertThat(run.get(20, TimeUnit.SECONDS)).isEqualTo(143);
    wrapper = null;
    assertThat(server.frames(MessageType.AGENT_DISCONNECT)).hasSize(1);
  }
}
