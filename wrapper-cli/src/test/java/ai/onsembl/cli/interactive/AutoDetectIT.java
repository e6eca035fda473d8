package ai.onsembl.cli.interactive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Interactive mode by itself only when stdin and stdout are a terminal; a pipe on stdin (CI) never
 * switches.
 */
@Tag("terminal")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AutoDetectIT extends InteractiveHarness {
  private static final String PROBE =
      "if [ -t 0 ]; then echo AGENT-STDIN-TTY; else echo AGENT-STDIN-PIPE; fi; exec sleep 120";

  @Test
  void aTerminalOnStdinAndStdoutIsInteractiveWithoutAnyFlag() throws Exception {
    tmux.start(wrapperCommand(false, "auto-tty", "sh", "-c", PROBE));
    wrapperPids.add(tmux.panePid());
    awaitOnline("auto-tty");
    awaitScreen("AGENT-STDIN-TTY");
    assertThat(tmux.screen()).contains("onsembl-agent: interactive mode");
  }

  @Test
  void stdinFromAPipeIsNeverInteractiveEvenWithATerminalOnStdout() throws Exception {
    // As in CI: stdin is not a terminal. stdout and stderr still are (the pane).
    tmux.start("sleep 600 | " + wrapperCommand(false, "auto-pipe", "sh", "-c", PROBE));
    ProcessHandle.of(tmux.panePid())
        .ifPresent(h -> h.descendants().forEach(d -> wrapperPids.add(d.pid())));
    awaitOnline("auto-pipe");
    await().atMost(WAIT).until(() -> content("auto-pipe").contains("AGENT-STDIN-PIPE"));
    assertThat(tmux.screen()).doesNotContain("interactive mode");
    // The agent's output went to the backend only: its stdout is a pipe, not the pane.
    assertThat(tmux.screen().lines()).doesNotContain("AGENT-STDIN-PIPE", "AGENT-STDIN-TTY");
  }
}
