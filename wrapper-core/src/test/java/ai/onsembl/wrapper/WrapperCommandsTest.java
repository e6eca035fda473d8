package ai.onsembl.wrapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.protocol.AgentHeartbeat;
import ai.onsembl.protocol.CommandAck;
import ai.onsembl.protocol.CommandComplete;
import ai.onsembl.protocol.CommandRequest;
import ai.onsembl.protocol.CommandStatus;
import ai.onsembl.protocol.ExecutionConstraints;
import ai.onsembl.protocol.HealthMetrics;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.testing.ScriptedServer;
import ai.onsembl.testing.ScriptedServer.Kind;
import ai.onsembl.wrapper.command.CommandRunner;
import ai.onsembl.wrapper.command.CommandSettings;
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
 * The wrapper with the real {@link CommandRunner} (exec mode): shutdown order with a running
 * command.
 */
@Timeout(60)
class WrapperCommandsTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  @TempDir Path tmp;
  private ScriptedServer server;
  private AgentWrapper wrapper;
  private CompletableFuture<Integer> run;

  @AfterEach
  void cleanUp() throws Exception {
    if (wrapper != null) {
      wrapper.stop("test over");
      run.get(15, TimeUnit.SECONDS);
    }
    server.close();
  }

  private static CommandRequest request(String id, String text) {
    return new CommandRequest(
        null,
        id,
        text,
        text,
        null,
        5,
        null,
        new ExecutionConstraints(300_000L, null, null),
        null,
        null);
  }

  @Test
  void sigtermCancelsTheRunningCommandBeforeTheGoodbyeAndHeartbeatsCountCommands()
      throws Exception {
    // 1 s, not less: the link declares a backend silent for two intervals half-open and reconnects,
    // and on a
    // loaded machine a shorter interval made that happen mid-test (the goodbye then went nowhere).
    server = new ScriptedServer().serverHeartbeat(Duration.ofSeconds(1)).start();
    WrapperConfig config =
        WrapperConfig.defaults()
            .withServerUrl(server.uri())
            .withStateDir(tmp.resolve("state"))
            .withWorkingDir(tmp)
            .withAgentKind(AgentKind.CUSTOM)
            .withAgentId("cmd-agent")
            .withCommand(List.of("sleep", "60"))
            .withChildGrace(Duration.ofMillis(800));
    CommandSettings settings = CommandSettings.exec(List.of("sh", "-c", "{prompt}"));
    wrapper =
        AgentWrapper.create(
            config, (out, id, child) -> new CommandRunner(settings, out, id, child));
    run = CompletableFuture.supplyAsync(wrapper::run);
    await().atMost(WAIT).until(() -> wrapper.state() == LifecycleState.ONLINE);

    server.send(request("c-1", "echo quick"));
    await().atMost(WAIT).until(() -> server.frames(MessageType.COMMAND_COMPLETE).size() == 1);
    await()
        .atMost(WAIT)
        .until(
            () ->
                server.frames(MessageType.AGENT_HEARTBEAT).stream()
                    .map(m -> ((AgentHeartbeat) m.payload()).healthMetrics())
                    .map(HealthMetrics::commandsProcessed)
                    .anyMatch(n -> n == 1));

    server.send(request("c-2", "sleep 30"));
    await()
        .atMost(WAIT)
        .until(
            () ->
                server.frames(MessageType.COMMAND_ACK).stream()
                    .map(m -> (CommandAck) m.payload())
                    .anyMatch(
                        a ->
                            a.commandId().equals("c-2") && a.status().is(CommandStatus.EXECUTING)));
    wrapper.onSignal("TERM");
    assertThat(run.get(15, TimeUnit.SECONDS)).isEqualTo(143);
    wrapper = null;
    // The wrapper is done once its close frame is sent; the server records the close when it has
    // read it.
    await()
        .atMost(WAIT)
        .until(() -> server.events().stream().anyMatch(e -> e.kind() == Kind.CLOSE));

    List<String> order =
        server.events().stream()
            .filter(
                e ->
                    e.kind() == Kind.CLOSE
                        || e.type() == MessageType.COMMAND_COMPLETE
                        || e.type() == MessageType.AGENT_DISCONNECT)
            .map(
                e ->
                    e.kind() == Kind.CLOSE
                        ? "CLOSE " + e.code()
                        : e.type()
                            + (e.type() == MessageType.COMMAND_COMPLETE
                                ? " " + ((CommandComplete) e.message().payload()).commandId()
                                : ""))
            .toList();
    assertThat(order)
        .containsExactly(
            "COMMAND_COMPLETE c-1", "COMMAND_COMPLETE c-2", "AGENT_DISCONNECT", "CLOSE 1000");
    Message complete = server.frames(MessageType.COMMAND_COMPLETE).get(1);
    CommandComplete c2 = (CommandComplete) complete.payload();
    assertThat(c2.status().value()).isEqualTo(CommandStatus.CANCELLED);
    assertThat(c2.error()).contains("agent shutting down");
  }
}
