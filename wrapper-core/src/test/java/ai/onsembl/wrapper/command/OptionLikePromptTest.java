package ai.onsembl.wrapper.command;

import static ai.onsembl.wrapper.command.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.protocol.CommandComplete;
import ai.onsembl.protocol.CommandStatus;
import ai.onsembl.protocol.TerminalOutput;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A prompt starting with '-' never becomes an option of the agent in exec mode (issue: hostile
 * clients).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OptionLikePromptTest {
  private final RecordingOutbound out = new RecordingOutbound();
  private CommandRunner runner;

  @AfterEach
  void cleanUp() {
    if (runner != null) {
      runner.close();
    }
    await("no child process of the test JVM left")
        .atMost(Duration.ofSeconds(10))
        .until(() -> ProcessHandle.current().descendants().noneMatch(ProcessHandle::isAlive));
  }

  @Test
  void withoutDashDashBeforeThePromptAnOptionLikePromptIsRefusedWithAClearError() {
    // Like gemini -p {prompt}: the prompt is the value of -p and nothing ends the options.
    runner =
        new CommandRunner(
            CommandSettings.exec(List.of(Requests.mockAgent().toString(), "-p", "{prompt}")),
            out,
            () -> "agent-1",
            null);
    runner.onCommandRequest(request("c1", "--dangerously-skip-permissions"));
    CommandComplete done = out.awaitComplete("c1");
    assertThat(done.status().value()).isEqualTo(CommandStatus.FAILED);
    assertThat(done.error())
        .contains("prompt refused")
        .contains("starts with '-'")
        .contains("no '--' before {prompt}");
    assertThat(out.outputsFor("c1")).as("nothing ran").isEmpty();
  }

  @Test
  void theDefaultTemplatesPutDashDashBeforeThePromptSoItReachesTheAgentAsText() {
    runner = new CommandRunner(Requests.mockExec(), out, () -> "agent-1", null);
    runner.onCommandRequest(request("c2", "--help"));
    CommandComplete done = out.awaitComplete("c2");
    assertThat(done.status().value()).isEqualTo(CommandStatus.COMPLETED);
    assertThat(
            out.outputsFor("c2").stream().map(TerminalOutput::content).reduce("", String::concat))
        .contains("--help")
        .doesNotContain("usage:");
  }
}
