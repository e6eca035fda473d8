package ai.onsembl.cli.interactive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.protocol.AgentDisconnect;
import ai.onsembl.protocol.CommandComplete;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.protocol.TerminalOutput;
import ai.onsembl.wrapper.process.ProcessTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Interactive mode for real: the packaged launcher in a tmux pane, keys sent with {@code
 * send-keys}, the screen read with {@code capture-pane}, with a shell, {@code python3 -i} and
 * {@code less} as the agent.
 */
@Tag("terminal")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class InteractiveTerminalIT extends InteractiveHarness {

  @Test
  void typingReachesTheShellAgentAndItsColouredOutputShowsAndIsStreamedStrippedAndRaw()
      throws Exception {
    startInPane("i-shell", "sh");
    tmux.type("echo typed-$((6*7))");
    tmux.sendKeys("Enter");
    awaitScreen("typed-42");
    assertThat(tmux.screen()).contains("echo typed-$((6*7))");

    tmux.type("printf '\\033[31mRED\\033[0m-%s\\n' colour");
    tmux.sendKeys("Enter");
    awaitScreen("RED-colour");
    assertThat(tmux.screenWithEscapes())
        .as("the colour escape reached the pane")
        .contains("\u001b[31mRED");

    // Outside any command the agent's output is streamed with commandId = agent id.
    await()
        .atMost(WAIT)
        .until(
            () ->
                output().stream()
                    .anyMatch(
                        t ->
                            t.commandId().equals("i-shell")
                                && t.content().contains("RED-colour")
                                && t.ansiCodes() != null
                                && t.ansiCodes().contains("\u001b[31mRED")));
    TerminalOutput coloured =
        output().stream().filter(t -> t.content().contains("RED-colour")).findFirst().orElseThrow();
    assertThat(coloured.content()).doesNotContain("\u001b");
    assertThat(content("i-shell")).contains("typed-42");
  }

  @Test
  void resizingTheWindowResizesTheAgentsTerminal() throws Exception {
    startInPane("i-resize", "sh");
    tmux.type("stty size");
    tmux.sendKeys("Enter");
    awaitScreen("30 100");

    tmux.resize(120, 40);
    // SIGWINCH reaches the wrapper asynchronously: ask again until the agent's terminal has the new
    // size.
    await()
        .atMost(WAIT)
        .pollInterval(java.time.Duration.ofMillis(700))
        .until(
            () -> {
              tmux.type("echo size-$(stty size | tr ' ' x)");
              tmux.sendKeys("Enter");
              return tmux.screen().contains("size-40x120");
            });
  }

  @Test
  void ctrlCInterruptsTheAgentsForegroundJobAndTheWrapperStaysUp() throws Exception {
    startInPane("i-ctrlc", "sh");
    tmux.type("sleep 100; echo not-interrupted");
    tmux.sendKeys("Enter");
    await()
        .atMost(WAIT)
        .until(
            () ->
                ProcessHandle.of(tmux.panePid())
                    .map(
                        h ->
                            h.descendants()
                                .anyMatch(d -> d.info().command().orElse("").endsWith("sleep")))
                    .orElse(false));

    tmux.sendKeys("C-c");
    tmux.type("echo after-$((1+1))");
    tmux.sendKeys("Enter");
    awaitScreen("after-2");
    assertThat(tmux.screen().lines())
        .as("sleep was interrupted, so the rest of its line never ran")
        .doesNotContain("not-interrupted");
    assertThat(ProcessHandle.of(tmux.panePid()).map(ProcessHandle::isAlive))
        .as("the wrapper is still up")
        .hasValue(true);
    assertThat(backend.backend().agent("i-ctrlc").orElseThrow().status().name())
        .isEqualTo("ONLINE");
    assertThat(frames(MessageType.AGENT_DISCONNECT)).isEmpty();
  }

  @Test
  void aDashboardCommandIsTypedIntoTheAgentAnnouncedInTheTitleAndItsOutputReachesTheBackend()
      throws Exception {
    startInPane("i-dash", "sh");
    tmux.type("echo ready");
    tmux.sendKeys("Enter");
    awaitScreen("ready");

    String commandId = backend.sendCommand("i-dash", "echo from-dash-$((2*21))");
    awaitScreen("from-dash-42");
    assertThat(tmux.screen()).contains("echo from-dash-$((2*21))");
    assertThat(tmux.display("#{pane_title}"))
        .isEqualTo("onsembl: dashboard typed: echo from-dash-$((2*21))");
    await().atMost(WAIT).until(() -> content(commandId).contains("from-dash-42"));
    CommandComplete done =
        await()
            .atMost(WAIT)
            .until(
                () ->
                    frames(MessageType.COMMAND_COMPLETE).stream()
                        .map(m -> (CommandComplete) m.payload())
                        .filter(c -> c.commandId().equals(commandId))
                        .findFirst()
                        .orElse(null),
                c -> c != null);
    assertThat(done.status().value().name()).isEqualTo("COMPLETED");

    // The link is the same as headless: heartbeats keep coming (1 s here) while the user types.
    await().atMost(WAIT).until(() -> frames(MessageType.AGENT_HEARTBEAT).size() >= 2);

    // The user keeps typing afterwards.
    tmux.type("echo still-mine");
    tmux.sendKeys("Enter");
    awaitScreen("still-mine");
  }

  @Test
  void python3InteractiveIsTheAgentAndItsExitCodeIsTheWrappers() throws Exception {
    requireTool(onPath("python3"), "python3 on the PATH");
    startFromShell("i-python", "python3", "-i", "-q");
    tmux.type("print(6 * 7, 'py')");
    tmux.sendKeys("Enter");
    awaitScreen("42 py");

    tmux.type("raise SystemExit(7)");
    tmux.sendKeys("Enter");
    awaitScreen("WRAPPER_EXIT=7");
    await().atMost(WAIT).until(() -> frames(MessageType.AGENT_DISCONNECT).size() == 1);
    AgentDisconnect bye = (AgentDisconnect) frames(MessageType.AGENT_DISCONNECT).get(0).payload();
    assertThat(bye.exitCode()).isEqualTo(7);
    assertTerminalRestored();
  }

  @Test
  void aFullScreenProgramDrawsItsScreenAndTheTerminalComesBackAfterIt(
      @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    requireTool(onPath("less"), "less on the PATH");
    Path file = dir.resolve("lines.txt");
    Files.write(file, IntStream.rangeClosed(1, 200).mapToObj(i -> "file line " + i).toList());
    startFromShell("i-less", "less", file.toString());
    awaitScreen("file line 29");
    assertThat(tmux.screen()).doesNotContain("file line 31").doesNotContain("WRAPPER_EXIT");
    tmux.type(" "); // next page
    awaitScreen("file line 58");
    assertThat(tmux.screen()).doesNotContain("file line 20\n");

    tmux.type("q");
    awaitScreen("WRAPPER_EXIT=0");
    // less left the alternate screen: the shell's screen is back, without less's pages.
    assertThat(tmux.screen()).doesNotContain("file line 58");
    assertTerminalRestored();
  }

  @Test
  void theEscapeSequenceStopsTheWrapperWithZeroAndAGoodbye() throws Exception {
    startFromShell("i-escape", "sh");
    tmux.sendKeys("C-]");
    tmux.type("q");
    awaitScreen("WRAPPER_EXIT=0");
    await().atMost(WAIT).until(() -> frames(MessageType.AGENT_DISCONNECT).size() == 1);
    AgentDisconnect bye = (AgentDisconnect) frames(MessageType.AGENT_DISCONNECT).get(0).payload();
    assertThat(bye.reason()).isEqualTo("Stopped from the keyboard (Ctrl+] q)");
    assertTerminalRestored();
  }

  @Test
  void sigtermStopsTheWrapperGracefullyAndTheTerminalIsRestored() throws Exception {
    startFromShell("i-term", "sh");
    long wrapper = wrapperPids.get(wrapperPids.size() - 1);
    ProcessHandle.of(wrapper).orElseThrow();
    assertThat(ProcessTree.signal(wrapper, "TERM")).as("kill -TERM " + wrapper).isTrue();
    awaitScreen("WRAPPER_EXIT=143");
    await().atMost(WAIT).until(() -> frames(MessageType.AGENT_DISCONNECT).size() == 1);
    assertTerminalRestored();
  }

  @Test
  void closingTheTerminalHangsUpTheWrapperWhichSaysGoodbyeAndLeavesNoProcess() throws Exception {
    startInPane("i-hup", "sh");
    // The output, not the echo of the typed line (which may show before the shell runs): "bg-42".
    tmux.type("sleep 300 & echo bg-$((40+2))");
    tmux.sendKeys("Enter");
    awaitScreen("bg-42");
    ProcessHandle wrapper = ProcessHandle.of(tmux.panePid()).orElseThrow();
    Set<ProcessHandle> tree = wrapper.descendants().collect(Collectors.toSet());
    assertThat(tree).as("the agent shell and its sleep").hasSizeGreaterThanOrEqualTo(2);

    tmux.killSession();
    await().atMost(WAIT).until(() -> frames(MessageType.AGENT_DISCONNECT).size() == 1);
    AgentDisconnect bye = (AgentDisconnect) frames(MessageType.AGENT_DISCONNECT).get(0).payload();
    assertThat(bye.reason()).isEqualTo("Graceful shutdown (SIGHUP)");
    await()
        .atMost(WAIT)
        .until(() -> !wrapper.isAlive() && tree.stream().noneMatch(ProcessHandle::isAlive));
  }

  @Test
  void agentControlStopFromTheDashboardEndsAFullScreenVimSessionAndRestoresTheTerminal()
      throws Exception {
    requireTool(Files.isExecutable(Path.of("/usr/bin/vi")), "vi at /usr/bin/vi");
    startFromShell("i-stop", "vi", "-u", "NONE", "-N");
    // ONLINE can come before the child draws (the link connects while the child starts): keys typed
    // before vi
    // puts the terminal in raw mode would be echoed onto the shell's screen. vi is up once its "~"
    // lines show.
    await().atMost(WAIT).until(() -> tmux.screen().lines().filter("~"::equals).count() >= 5);
    tmux.type("ihello from vi");
    awaitScreen("hello from vi");
    assertThat(tmux.screen()).contains("-- INSERT --");

    backend.control("i-stop", "STOP");
    awaitScreen("WRAPPER_EXIT=0");
    await().atMost(WAIT).until(() -> frames(MessageType.AGENT_DISCONNECT).size() == 1);
    assertThat(((AgentDisconnect) frames(MessageType.AGENT_DISCONNECT).get(0).payload()).reason())
        .startsWith("Stopped by AGENT_CONTROL STOP");
    // vi's alternate screen was left: its text is gone from the shell's screen.
    assertThat(tmux.screen()).doesNotContain("hello from vi").doesNotContain("-- INSERT --");
    assertTerminalRestored();
  }

  @Test
  void aSecondSigtermHaltsAtOnceAndTheTerminalIsStillRestored() throws Exception {
    startFromShell(
        "i-twice", "sh", "-c", "trap '' TERM HUP INT; echo stubborn; while :; do sleep 1; done");
    awaitScreen("stubborn");
    long wrapper = wrapperPids.get(wrapperPids.size() - 1);
    assertThat(ProcessTree.signal(wrapper, "TERM")).as("kill -TERM " + wrapper).isTrue();
    await().atMost(WAIT).until(() -> log().contains("stopping: Graceful shutdown (SIGTERM)"));
    assertThat(ProcessTree.signal(wrapper, "TERM")).as("kill -TERM " + wrapper).isTrue();
    awaitScreen("WRAPPER_EXIT=");
    await()
        .atMost(WAIT)
        .until(() -> !ProcessHandle.of(wrapper).map(ProcessHandle::isAlive).orElse(false));
    assertTerminalRestored();
  }

  @Test
  void
      whileTheBackendIsDownTheTerminalKeepsWorkingAndWhatTheAgentPrintedIsReplayedAfterTheReconnect()
          throws Exception {
    startInPane("i-outage", "sh");
    int ws = backend.wsPort();
    int http = backend.httpPort();
    backend.close();

    tmux.type("echo during-outage-$((3*3))");
    tmux.sendKeys("Enter");
    awaitScreen("during-outage-9");

    backend = newBackend(ws, http);
    awaitOnline("i-outage");
    await().atMost(WAIT).until(() -> content("i-outage").contains("during-outage-9"));
    assertThat(frames().get(0).type())
        .as("AGENT_CONNECT first on the new connection")
        .isEqualTo(MessageType.AGENT_CONNECT);
    tmux.type("echo after-reconnect");
    tmux.sendKeys("Enter");
    await().atMost(WAIT).until(() -> content("i-outage").contains("after-reconnect"));
  }

  private static boolean onPath(String program) {
    return java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
        .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, program)));
  }

  /** The shell that ran the wrapper has its terminal back: echo and line mode on. */
  private void assertTerminalRestored() throws Exception {
    tmux.sendKeys("clear", "Enter");
    tmux.type(
        "stty -a | tr ' ' '\\n' | grep -E -x -e '-?echo' -e '-?icanon' | tr '\\n' ' '; echo =STTY");
    tmux.sendKeys("Enter");
    awaitScreen("=STTY");
    String line =
        tmux.screen()
            .lines()
            .filter(l -> l.endsWith("=STTY") && !l.contains("grep"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no stty line on the screen"));
    List<String> flags =
        java.util.Arrays.stream(line.split(" ")).filter(w -> w.matches("-?(echo|icanon)")).toList();
    assertThat(flags).as(line).containsExactlyInAnyOrder("icanon", "echo");
  }
}
