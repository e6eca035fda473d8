package ai.onsembl.wrapper.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onsembl.wrapper.command.CommandSettings.Mode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CommandSettingsTest {

  @Test
  void agentDefaultsAreTheDocumentedExecTemplates() {
    assertThat(ExecTemplates.forAgent("claude"))
        .contains(List.of("claude", "-p", "--", "{prompt}"));
    assertThat(ExecTemplates.forAgent("Gemini")).contains(List.of("gemini", "-p", "{prompt}"));
    assertThat(ExecTemplates.forAgent("codex"))
        .contains(List.of("codex", "exec", "--", "{prompt}"));
    assertThat(ExecTemplates.forAgent("mock"))
        .contains(List.of("onsembl-mock-agent", "-p", "--", "{prompt}"));
    assertThat(ExecTemplates.forAgent("custom")).isEmpty();
    assertThat(ExecTemplates.mock(Path.of("/opt/onsembl/bin/onsembl-mock-agent")))
        .containsExactly("/opt/onsembl/bin/onsembl-mock-agent", "-p", "--", "{prompt}");
  }

  @Test
  void forAgentPicksTheModeAndTheCompletionRule() {
    CommandSettings claude = CommandSettings.forAgent("claude", Mode.EXEC);
    assertThat(claude.mode()).isEqualTo(Mode.EXEC);
    assertThat(claude.execTemplate()).isEqualTo(ExecTemplates.CLAUDE);
    assertThat(claude.concurrency()).isEqualTo(1);
    assertThat(claude.maxPromptBytes()).isEqualTo(100_000);

    CommandSettings mockSession = CommandSettings.forAgent("mock", Mode.SESSION);
    assertThat(mockSession.mode()).isEqualTo(Mode.SESSION);
    assertThat(mockSession.sessionCompletion().doneMarker().pattern())
        .isEqualTo(SessionCompletion.MOCK_AGENT_MARKER.pattern());
    assertThat(CommandSettings.forAgent("codex", Mode.SESSION).sessionCompletion().quietPeriod())
        .isEqualTo(Duration.ofSeconds(3));
    assertThatThrownBy(() -> CommandSettings.forAgent("custom", Mode.EXEC))
        .hasMessageContaining("expected an agent claude|gemini|codex|mock")
        .hasMessageContaining("'custom'");
  }

  @Test
  void withCopiesChangeOneSetting() {
    CommandSettings s =
        CommandSettings.exec(ExecTemplates.CODEX)
            .withConcurrency(3)
            .withCancelGrace(Duration.ofMillis(250))
            .withWorkingDirectory(Path.of("/tmp"))
            .withEnvironment(java.util.Map.of("A", "1"))
            .withMaxPromptBytes(10);

    assertThat(s)
        .isEqualTo(
            new CommandSettings(
                Mode.EXEC,
                ExecTemplates.CODEX,
                3,
                Duration.ofMillis(250),
                Path.of("/tmp"),
                java.util.Map.of("A", "1"),
                s.sessionCompletion(),
                10));
    assertThat(s.withMode(Mode.SESSION).mode()).isEqualTo(Mode.SESSION);
    assertThat(Mode.parse(" Exec ")).isEqualTo(Mode.EXEC);
  }

  @Test
  void invalidSettingsAreRefusedWithWhatWasExpected() {
    assertThatThrownBy(() -> CommandSettings.exec(List.of("claude", "-p")))
        .hasMessage("exec template: expected an argument with {prompt} but got [claude, -p]");
    assertThatThrownBy(() -> CommandSettings.exec(List.of()))
        .hasMessageContaining("expected a command with {prompt}");
    assertThatThrownBy(() -> CommandSettings.exec(ExecTemplates.CLAUDE).withConcurrency(0))
        .hasMessage("concurrency: expected 1 or more but got 0");
    assertThatThrownBy(() -> Mode.parse("batch"))
        .hasMessage("expected a mode session|exec but got 'batch'");
    assertThatThrownBy(() -> new SessionCompletion(null, null)).hasMessageContaining("neither");
    assertThatThrownBy(() -> SessionCompletion.quietFor(Duration.ZERO))
        .hasMessageContaining("positive");
  }

  @Test
  void templateTextIsSplitLikeAShellLineWithoutAShell() {
    assertThat(ExecTemplates.parse("claude -p {prompt}"))
        .containsExactly("claude", "-p", "{prompt}");
    assertThat(ExecTemplates.parse("  my\\ agent  --model 'a b' \"say \\\"{prompt}\\\"\" $HOME"))
        .containsExactly("my agent", "--model", "a b", "say \"{prompt}\"", "$HOME");
    assertThat(ExecTemplates.parse("aider --message={prompt}"))
        .containsExactly("aider", "--message={prompt}");
    assertThatThrownBy(() -> ExecTemplates.parse("claude -p '{prompt}"))
        .hasMessageContaining("expected a closing '");
    assertThatThrownBy(() -> ExecTemplates.parse("{prompt}"))
        .hasMessageContaining("expected a program name first");
  }

  @Test
  void expandPutsThePromptIntoExactlyTheElementsThatHoldThePlaceholder() {
    String prompt = "$(rm -rf /) && echo 'hi'";
    assertThat(ExecTemplates.expand(ExecTemplates.CLAUDE, prompt))
        .containsExactly("claude", "-p", "--", prompt);
    assertThat(ExecTemplates.expand(List.of("aider", "--message={prompt}", "--yes"), prompt))
        .containsExactly("aider", "--message=" + prompt, "--yes");
  }

  @Test
  void aPromptThatWouldBeReadAsAnOptionIsRefusedUnlessDashDashComesBeforeIt() {
    String evil = "--dangerously-skip-permissions";
    assertThat(ExecTemplates.optionLikePrompt(ExecTemplates.CLAUDE, evil)).isNull();
    assertThat(ExecTemplates.optionLikePrompt(ExecTemplates.CODEX, evil)).isNull();
    assertThat(ExecTemplates.optionLikePrompt(ExecTemplates.GEMINI, evil))
        .contains("starts with '-'")
        .contains("gemini -p {prompt}")
        .contains("no '--' before {prompt}");
    assertThat(ExecTemplates.optionLikePrompt(List.of("aider", "--message={prompt}"), evil))
        .as("inside an element of its own: never an option")
        .isNull();
    assertThat(ExecTemplates.optionLikePrompt(ExecTemplates.GEMINI, "fix the - sign")).isNull();
  }
}
