package ai.onsembl.wrapper.command;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.protocol.CommandCancel;
import ai.onsembl.protocol.CommandComplete;
import ai.onsembl.protocol.CommandRequest;
import ai.onsembl.protocol.CommandStatus;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.ProtocolCodec;
import ai.onsembl.protocol.StreamType;
import ai.onsembl.protocol.fixtures.UpstreamFixtures;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Frames the TypeScript backend really sends ({@link UpstreamFixtures}), decoded and run. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UpstreamFramesTest {
  private final RecordingOutbound out = new RecordingOutbound();
  private CommandRunner runner;

  @AfterEach
  void stop() {
    if (runner != null) {
      runner.close();
    }
  }

  private static Message fixture(String name) throws Exception {
    return ProtocolCodec.standard().decode(UpstreamFixtures.read(name));
  }

  @Test
  void typeScriptBackendsCommandRequestAndCancelAreHonoured() throws Exception {
    CommandRequest request =
        fixture("server-to-agent__COMMAND_REQUEST.json").payload(CommandRequest.class);
    CommandCancel cancel =
        fixture("server-to-agent__COMMAND_CANCEL.json").payload(CommandCancel.class);
    runner = new CommandRunner(Requests.mockExec(), out, () -> "agent-1", null);

    runner.onCommandRequest(request);
    CommandComplete done = out.awaitComplete(request.commandId());
    assertThat(done.status().value()).isEqualTo(CommandStatus.COMPLETED);
    assertThat(out.textOf(request.commandId(), StreamType.STDOUT))
        .isEqualTo("echo: echo hello-from-dashboard\n");

    // The same id again, now long-running, then the fixture's cancel (force false).
    runner.onCommandRequest(
        new CommandRequest(
            null,
            cancel.commandId(),
            "sleep 60",
            null,
            null,
            null,
            null,
            request.executionConstraints(),
            null,
            null));
    runner.onCommandCancel(cancel);
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(20))
        .until(
            () ->
                out.framesFor(cancel.commandId()).stream()
                        .filter(f -> f instanceof CommandComplete)
                        .count()
                    == 2);
    CommandComplete cancelled =
        out.framesFor(cancel.commandId()).stream()
            .filter(f -> f instanceof CommandComplete)
            .map(CommandComplete.class::cast)
            .reduce((a, b) -> b)
            .orElseThrow();
    assertThat(cancelled.status().value()).isEqualTo(CommandStatus.CANCELLED);
    assertThat(cancelled.error()).isEqualTo("probe cancel");
  }
}
