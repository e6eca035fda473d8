package ai.onsembl.cli.interactive;

import static org.awaitility.Awaitility.await;

import ai.onsembl.backend.BackendConfig;
import ai.onsembl.backend.junit.RecordedFrame;
import ai.onsembl.backend.junit.TestBackend;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.protocol.TerminalOutput;
import ai.onsembl.wrapper.process.ProcessTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged launcher in interactive mode inside a tmux pane of its own tmux server, against the
 * reference backend in this JVM, the public test fixture (every agent frame recorded).
 */
@Tag("terminal")
abstract class InteractiveHarness {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String TOKEN = "interactive-agent-token";
  static final String DASHBOARD = "interactive-dashboard-token";
  static final Path LAUNCHER = Path.of("target/onsembl-agent/bin/onsembl-agent").toAbsolutePath();

  @TempDir Path tmp;
  TestBackend backend;
  Tmux tmux;

  /** What the backend recorded so far, taken from it by {@link #frames()}. */
  private final List<Message> frames = new CopyOnWriteArrayList<>();

  final List<Long> wrapperPids = new ArrayList<>();

  @BeforeEach
  void startBackend() throws Exception {
    requireTool(Tmux.available(), "tmux at " + Tmux.TMUX);
    if (!Files.isExecutable(LAUNCHER)) {
      throw new IllegalStateException(
          "expected the packaged launcher at " + LAUNCHER + " (mvn package) but it is not there");
    }
    backend = newBackend(0, 0);
    tmux = new Tmux();
    nativeLeftoversBefore = nativeLeftovers();
  }

  /**
   * Fails, never skips, when a program a terminal test drives is missing: {@code scripts/test}
   * installs them, and {@code scripts/test --skip-terminal} leaves the terminal tests (tag {@code
   * terminal}) out openly.
   */
  static void requireTool(boolean present, String what) {
    if (!present) {
      throw new AssertionError(
          "the terminal tests need "
              + what
              + ", which is not installed: run scripts/test"
              + " (it installs tmux, python3, less and vi) or scripts/test --skip-terminal");
    }
  }

  private java.util.Set<String> nativeLeftoversBefore = java.util.Set.of();

  /**
   * Native libraries pty4j or JLine would extract to the temp directory (and never delete after a
   * halt).
   */
  private static java.util.Set<String> nativeLeftovers() throws java.io.IOException {
    try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(n -> n.startsWith("pty4j-") || n.startsWith("jlinenative"))
          .collect(Collectors.toSet());
    }
  }

  @AfterEach
  void stopEverything() throws Exception {
    if (tmux != null) {
      tmux.close(); // SIGHUP to whatever still runs in the pane
    }
    for (long pid : wrapperPids) {
      ProcessHandle.of(pid)
          .ifPresent(
              h -> {
                java.util.Set<ProcessHandle> tree = ProcessTree.descendants(h);
                tree.add(h);
                ProcessTree.killAll(tree, Duration.ofSeconds(5));
              });
    }
    if (backend != null) {
      backend.close();
    }
    java.util.Set<String> left = new java.util.HashSet<>(nativeLeftovers());
    left.removeAll(nativeLeftoversBefore);
    org.assertj.core.api.Assertions.assertThat(left)
        .as("native libraries left in the temp directory")
        .isEmpty();
  }

  /**
   * A reference backend on these ports (0: free ones), recording every agent frame; forgets earlier
   * frames.
   */
  TestBackend newBackend(int wsPort, int httpPort) {
    frames.clear();
    return TestBackend.start(
        BackendConfig.forTests()
            .withPorts(wsPort, httpPort)
            .withAgentToken(TOKEN)
            .withDashboardToken(DASHBOARD));
  }

  /** Every decoded frame the current backend recorded, in arrival order. */
  synchronized List<Message> frames() {
    try {
      for (RecordedFrame f = backend.takeFrame(Duration.ZERO);
          f != null;
          f = backend.takeFrame(Duration.ZERO)) {
        if (f.message() != null) {
          frames.add(f.message());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return List.copyOf(frames);
  }

  /**
   * The launcher's command line, as sh words, with the token in its environment (never in argv).
   */
  String wrapperCommand(String agentId, String... agent) {
    return wrapperCommand(true, agentId, agent);
  }

  /** Without {@code --interactive} when {@code force} is false: the wrapper decides by itself. */
  String wrapperCommand(boolean force, String agentId, String... agent) {
    List<String> words =
        new ArrayList<>(
            List.of(
                "env",
                "JAVA_HOME=" + System.getProperty("java.home"),
                "ONSEMBL_TOKEN=" + TOKEN,
                LAUNCHER.toString(),
                "start"));
    if (force) {
      words.add("--interactive");
    }
    words.addAll(
        List.of(
            "--server",
            backend.wsUrl(),
            "--state-dir",
            tmp.resolve("state").toString(),
            "--agent-id",
            agentId,
            "--child-grace",
            "1s",
            "--heartbeat-interval",
            "1s",
            "--working-dir",
            tmp.toString(),
            "--"));
    words.addAll(List.of(agent));
    return Tmux.command(words);
  }

  /** The wrapper as the pane's own process (closing the pane hangs it up). */
  void startInPane(String agentId, String... agent) throws Exception {
    tmux.start(wrapperCommand(agentId, agent));
    wrapperPids.add(tmux.panePid());
    awaitOnline(agentId);
  }

  /**
   * A plain {@code sh} in the pane runs the wrapper, then prints its exit code; the shell stays for
   * stty.
   */
  void startFromShell(String agentId, String... agent) throws Exception {
    tmux.start("sh");
    tmux.type(wrapperCommand(agentId, agent) + "; echo WRAPPER_EXIT=$?");
    tmux.sendKeys("Enter");
    awaitOnline(agentId);
    long shell = tmux.panePid();
    ProcessHandle.of(shell).ifPresent(h -> h.children().forEach(c -> wrapperPids.add(c.pid())));
  }

  void awaitOnline(String agentId) {
    await()
        .atMost(WAIT)
        .until(
            () ->
                backend
                    .backend()
                    .agent(agentId)
                    .map(a -> a.status().name().equals("ONLINE"))
                    .orElse(false));
  }

  void awaitScreen(String text) throws Exception {
    try {
      await().atMost(WAIT).until(() -> tmux.screen().contains(text));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(
          "expected the pane to show '"
              + text
              + "' within "
              + WAIT
              + " but it shows:\n"
              + tmux.screen(),
          e);
    }
  }

  List<TerminalOutput> output() {
    return frames().stream()
        .filter(m -> m.type() == MessageType.TERMINAL_OUTPUT)
        .map(m -> (TerminalOutput) m.payload())
        .toList();
  }

  String content(String commandId) {
    return output().stream()
        .filter(t -> t.commandId().equals(commandId))
        .map(TerminalOutput::content)
        .collect(Collectors.joining());
  }

  List<Message> frames(MessageType type) {
    return frames().stream().filter(m -> m.type() == type).toList();
  }

  /** The wrapper's log file in interactive mode. */
  String log() throws java.io.IOException {
    Path f = tmp.resolve("state/logs/custom.log");
    return Files.exists(f) ? Files.readString(f) : "";
  }
}
