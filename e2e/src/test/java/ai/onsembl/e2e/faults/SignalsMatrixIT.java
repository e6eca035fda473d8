package ai.onsembl.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.e2e.BackendProcess;
import ai.onsembl.e2e.DashboardClient;
import ai.onsembl.e2e.LeakChecks;
import ai.onsembl.wrapper.testing.RunningProcess;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every signal sequence × every kind of agent tree, on real {@code onsembl-agent start} processes
 * against one real backend process. After each: the exit code, the goodbye's reason at the backend
 * (REST and dashboard), OFFLINE, and no descendant alive (recorded by pid while alive, so
 * grandchildren re-parented to init are counted too).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith({LeakChecks.class, ThreadLeakCheck.class, TempFilesCheck.class})
class SignalsMatrixIT {
  private static final AtomicInteger SEQ = new AtomicInteger();
  private Path home;
  private BackendProcess backend;
  private DashboardClient dash;

  /** What the agent is doing when the signals arrive. */
  enum Tree {
    IDLE,
    MID_COMMAND,
    IGNORES_SIGTERM,
    GRANDCHILDREN,
    SH_C
  }

  /** The signals, in order, and what must come of them. */
  enum Signals {
    TERM(143, "TERM"),
    INT(130, "INT"),
    HUP(129, "HUP"),
    INT_TWICE(130, "INT", "INT"),
    INT_THRICE(130, "INT", "INT", "INT"),
    KILL(137, "KILL");

    final int exitCode;
    final String[] names;

    Signals(int exitCode, String... names) {
      this.exitCode = exitCode;
      this.names = names;
    }
  }

  @BeforeAll
  void startBackend(@TempDir Path dir) throws Exception {
    home = dir;
    backend = BackendProcess.start(home.resolve("b.db"), home);
    dash = DashboardClient.connect(backend.wsUrl(), BackendProcess.DASHBOARD_TOKEN);
  }

  @AfterAll
  void stopBackend() throws Exception {
    dash.close();
    TempFilesCheck.graceful(backend).close();
    backend.close();
  }

  static Stream<Arguments> strict() {
    return combos(
        Signals.TERM,
        Signals.INT,
        Signals.HUP,
        Signals.INT_TWICE,
        Signals.INT_THRICE,
        Signals.KILL);
  }

  private static Stream<Arguments> combos(Signals... signals) {
    List<Arguments> all = new ArrayList<>();
    for (Tree t : Tree.values()) {
      for (Signals s : signals) {
        all.add(Arguments.of(t, s));
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{1} to a wrapper whose agent is {0}")
  @MethodSource("strict")
  void signalEndsTheWrapperWithItsCodeGoodbyeOfflineAndNoSurvivors(Tree tree, Signals signals) {
    run(tree, signals, true);
  }

  private void run(Tree tree, Signals signals, boolean noSurvivors) {
    String name =
        "sig-"
            + SEQ.incrementAndGet()
            + "-"
            + tree.name().toLowerCase()
            + "-"
            + signals.name().toLowerCase();
    try (RunningProcess w = startFor(tree, name)) {
      backend.awaitAgent(name, "ONLINE", Duration.ofSeconds(30));
      String agentId = backend.agentNamed(name).orElseThrow().path("agentId").asText();
      String commandId = prepare(tree, name, w);

      long t0 = System.nanoTime();
      for (String s : signals.names) {
        // back to back (a few ms apart: one kill(1) each), so a repeat lands while the shutdown
        // runs
        signalIfAlive(w, s);
      }
      int code = w.awaitExit(Duration.ofSeconds(15));
      long exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

      assertThat(code)
          .as("exit code after %s (%s)\n%s", signals, tree, w.transcript())
          .isEqualTo(signals.exitCode);
      JsonNode agent = backend.awaitAgent(name, "OFFLINE", Duration.ofSeconds(5));
      String reason = agent.path("disconnectReason").asText();
      if (signals == Signals.KILL) {
        assertThat(reason)
            .as("OFFLINE reason after %s", signals)
            .isEqualTo("Connection closed (code 1006)");
      } else if (signals.names.length > 1) {
        assertThat(reason)
            .as("OFFLINE reason after %s (%s)", signals, tree)
            .isIn("Graceful shutdown (SIGINT)", "Connection closed (code 1006)");
      } else {
        // the goodbye (AGENT_DISCONNECT) reached the backend: its reason, not a socket close, is
        // recorded
        assertThat(reason)
            .as("OFFLINE reason after %s (%s)\n%s", signals, tree, w.transcript())
            .isEqualTo("Graceful shutdown (SIG" + signals.names[0] + ")");
      }
      dash.await(
          "AGENT_DISCONNECT",
          p ->
              agentId.equals(p.path("agentId").asText())
                  && reason.equals(p.path("reason").asText()),
          Duration.ofSeconds(5));
      if (commandId != null) {
        JsonNode cmd =
            Wrappers.awaitCommand(backend, commandId, "CANCELLED", Duration.ofSeconds(5));
        assertThat(cmd.path("error").asText()).as("command outcome").isNotEmpty();
      }
      if (signals == Signals.KILL) {
        // SIGKILL leaves the wrapper no chance to stop its tree; the next start of the same agent
        // reaps it
        assertNextStartReapsTheOrphans(w, tree, name);
      } else if (noSurvivors) {
        assertThat(RunningProcess.running(w.survivingDescendants()))
            .as("descendants running after %s (%s)\n%s", signals, tree, w.transcript())
            .isEmpty();
      }
      assertThat(exitMillis)
          .as("ms from the first signal to exit")
          .isLessThan(signals.names.length > 1 ? 3_000 : 10_000);
    }
  }

  private static void signalIfAlive(RunningProcess w, String signal) {
    try {
      w.signal(signal);
    } catch (IllegalStateException e) {
      if (w.isAlive()) {
        throw e;
      }
      // it exited before this repeat arrived: nothing left to signal
    }
  }

  private void assertNextStartReapsTheOrphans(RunningProcess killed, Tree tree, String name) {
    List<ProcessHandle> orphans = List.copyOf(killed.survivingDescendants());
    try (RunningProcess next = startFor(tree, name)) {
      Awaitility.await(name + " back ONLINE")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () ->
                  backend
                      .agentNamed(name)
                      .map(a -> "ONLINE".equals(a.path("status").asText()))
                      .orElse(false));
      Awaitility.await("orphans of the killed wrapper reaped by the next start")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> RunningProcess.running(orphans).isEmpty());
      next.signal("TERM");
      assertThat(next.awaitExit(Duration.ofSeconds(15))).isEqualTo(143);
      assertThat(RunningProcess.running(next.survivingDescendants())).isEmpty();
    }
  }

  private RunningProcess startFor(Tree tree, String name) {
    String url = backend.wsUrl();
    return switch (tree) {
      case IDLE -> Wrappers.start(home, url, name, "--agent", "mock", "--mode", "session");
      case MID_COMMAND, IGNORES_SIGTERM, GRANDCHILDREN ->
          Wrappers.start(
              home, url, name, "--agent", "mock", "--mode", "exec", "--child-grace", "500ms");
      case SH_C ->
          Wrappers.start(
              home,
              url,
              name,
              "--mode",
              "session",
              "--child-grace",
              "500ms",
              "--",
              "sh",
              "-c",
              "sleep 300 & sleep 301 & wait");
    };
  }

  /** Brings the tree into its state; returns the running command's id, if there is one. */
  private String prepare(Tree tree, String name, RunningProcess w) {
    Duration t = Duration.ofSeconds(10);
    switch (tree) {
      case IDLE -> {
        Wrappers.awaitDescendants(w, "onsembl-mock-agent", 1, t);
        return null;
      }
      case MID_COMMAND -> {
        String id = Wrappers.post(backend, name, "sleep 30");
        Wrappers.awaitCommand(backend, id, "EXECUTING", t);
        Wrappers.awaitDescendants(w, "sleep 30", 1, t);
        return id;
      }
      case IGNORES_SIGTERM -> {
        String id = Wrappers.post(backend, name, "ignore-sigterm");
        Wrappers.awaitCommand(backend, id, "EXECUTING", t);
        Wrappers.awaitDescendants(w, "sleep 1", 1, t);
        return id;
      }
      case GRANDCHILDREN -> {
        String id = Wrappers.post(backend, name, "spawn-grandchild");
        Wrappers.awaitCommand(backend, id, "EXECUTING", t);
        Wrappers.awaitDescendants(w, "sleep 300", 1, t);
        return id;
      }
      case SH_C -> {
        Wrappers.awaitDescendants(w, "sleep 30", 2, t);
        return null;
      }
      default -> throw new IllegalArgumentException(tree.name());
    }
  }
}
