package ai.onsembl.wrapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.protocol.AgentControl;
import ai.onsembl.protocol.CommandAck;
import ai.onsembl.protocol.CommandCancel;
import ai.onsembl.protocol.CommandComplete;
import ai.onsembl.protocol.CommandRequest;
import ai.onsembl.protocol.CommandStatus;
import ai.onsembl.protocol.ControlAction;
import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.protocol.TerminalOutput;
import ai.onsembl.testing.ScriptedServer;
import ai.onsembl.wrapper.command.CommandRunner;
import ai.onsembl.wrapper.command.CommandSettings;
import ai.onsembl.wrapper.command.CommandSettings.Mode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real wrapper, the real child supervisor and the mock agent in session mode: cancel and
 * restart mid-prompt.
 */
@Timeout(90)
class WrapperSessionChildTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Path MOCK_AGENT =
      Path.of("../wrapper-cli/src/dist/bin/onsembl-mock-agent").toAbsolutePath().normalize();
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

  private void startMockSession() throws Exception {
    server = new ScriptedServer().start();
    WrapperConfig config =
        WrapperConfig.defaults()
            .withServerUrl(server.uri())
            .withStateDir(tmp.resolve("state"))
            .withWorkingDir(tmp)
            .withAgentKind(AgentKind.MOCK)
            .withAgentId("session-agent")
            .withCommand(List.of(MOCK_AGENT.toString()))
            .withChildGrace(Duration.ofSeconds(2));
    CommandSettings settings =
        CommandSettings.forAgent("mock", Mode.SESSION).withCancelGrace(Duration.ofSeconds(10));
    wrapper =
        AgentWrapper.create(
            config, (out, id, child) -> new CommandRunner(settings, out, id, child));
    run = CompletableFuture.supplyAsync(wrapper::run);
    await().atMost(WAIT).until(() -> wrapper.state() == LifecycleState.ONLINE);
  }

  private static CommandRequest request(String id, String text) {
    return new CommandRequest(null, id, text, text, null, null, null, null, null, null);
  }

  private void awaitExecuting(String id) {
    await()
        .atMost(WAIT)
        .until(
            () ->
                server.frames(MessageType.COMMAND_ACK).stream()
                    .map(m -> (CommandAck) m.payload())
                    .anyMatch(
                        a -> a.commandId().equals(id) && a.status().is(CommandStatus.EXECUTING)));
  }

  private CommandComplete awaitComplete(String id) {
    return await()
        .atMost(WAIT)
        .until(
            () ->
                server.frames(MessageType.COMMAND_COMPLETE).stream()
                    .map(m -> (CommandComplete) m.payload())
                    .filter(c -> c.commandId().equals(id))
                    .findFirst()
                    .orElse(null),
            c -> c != null);
  }

  private String output(String commandId) {
    return server.frames(MessageType.TERMINAL_OUTPUT).stream()
        .map(m -> (TerminalOutput) m.payload())
        .filter(t -> t.commandId().equals(commandId))
        .map(TerminalOutput::content)
        .collect(Collectors.joining());
  }

  @Test
  void sessionCancelInterruptsTheAgentMidPromptAndTheSessionGoesOn() throws Exception {
    startMockSession();
    server.send(request("c-sleep", "sleep 60"));
    awaitExecuting("c-sleep");

    server.send(new CommandCancel(null, "c-sleep", "user cancelled", false));
    CommandComplete cancelled = awaitComplete("c-sleep");
    assertThat(cancelled.status().value()).isEqualTo(CommandStatus.CANCELLED);
    // SIGINT reached the mock agent: it abandoned the sleep and said so, well before the 10 s
    // grace.
    await()
        .atMost(WAIT)
        .until(() -> (output("c-sleep") + output("session-agent")).contains("interrupted"));
    assertThat(cancelled.executionTime())
        .as("ended by the interrupt, not the grace")
        .isLessThan(9_000);

    server.send(request("c-next", "hello"));
    CommandComplete next = awaitComplete("c-next");
    assertThat(next.status().value()).isEqualTo(CommandStatus.COMPLETED);
    assertThat(output("c-next")).contains("echo: hello");
  }

  @Test
  void restartDuringASessionCommandFailsThatCommandAndTheNewAgentTakesTheNext() throws Exception {
    startMockSession();
    server.send(request("c-long", "sleep 60"));
    awaitExecuting("c-long");

    server.send(new AgentControl(null, EnumValue.of(ControlAction.RESTART), "stuck", false, null));
    CommandComplete failed = awaitComplete("c-long");
    assertThat(failed.status().value()).isEqualTo(CommandStatus.FAILED);
    assertThat(failed.error()).startsWith("agent process exited");

    server.send(request("c-after", "hello again"));
    CommandComplete after = awaitComplete("c-after");
    assertThat(after.status().value()).isEqualTo(CommandStatus.COMPLETED);
    assertThat(output("c-after")).contains("echo: hello again");
  }
}
