package ai.onsembl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.backend.AgentState;
import ai.onsembl.backend.BackendConfig;
import ai.onsembl.backend.junit.TestBackend;
import ai.onsembl.wrapper.testing.RunningProcess;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code onsembl-agent start} as a real process (the launcher's java command line, without the sh
 * script) against the reference backend: where and as whom, the token never printed, stop and
 * status, exit codes.
 */
@Timeout(120)
class StartProcessTest {
  private static final String TOKEN = "tok-secret-123";
  private static final Duration WAIT = Duration.ofSeconds(30);
  @TempDir Path tmp;
  private TestBackend backend;
  private final List<RunningProcess> processes = new ArrayList<>();

  @BeforeEach
  void startBackend() {
    backend =
        TestBackend.start(
            BackendConfig.forTests()
                .withAgentToken(TOKEN)
                .withHeartbeat(Duration.ofMillis(500), Duration.ofSeconds(3)));
  }

  @AfterEach
  void stopAll() {
    processes.forEach(RunningProcess::close);
    backend.close();
  }

  private RunningProcess start(String token, String... args) {
    List<String> cliArgs =
        new ArrayList<>(
            List.of(
                "start",
                "--state-dir",
                tmp.resolve("state").toString(),
                "--server",
                backend.wsUrl(),
                "--child-grace",
                "1s"));
    cliArgs.addAll(List.of(args));
    RunningProcess.Builder b =
        RunningProcess.builder(
                "start",
                RunningProcess.javaCommand(
                    List.of(
                        "-XX:TieredStopAtLevel=1",
                        "-XX:+UseSerialGC",
                        "-Donsembl.home=" + Path.of("src/dist").toAbsolutePath()),
                    OnsemblAgent.class,
                    cliArgs.toArray(String[]::new)))
            .unsetEnv("ONSEMBL_TOKEN");
    if (token != null) {
      b.env("ONSEMBL_TOKEN", token);
    }
    RunningProcess p = b.start();
    processes.add(p);
    return p;
  }

  private static String stderr(RunningProcess p) {
    return String.join("\n", p.stderr());
  }

  private int cli(StringWriter out, String... args) {
    return OnsemblAgent.newCommandLine()
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(out, true))
        .execute(args);
  }

  @Test
  void connectsSaysWhereAndAsWhomAndStopEndsItGracefullyWith143() throws Exception {
    // At trace level, so that a token in any library's debug output would show.
    RunningProcess p =
        start(
            TOKEN,
            "--agent-id",
            "it-agent",
            "--name",
            "it",
            "--log-level",
            "trace",
            "--",
            "sh",
            "-c",
            "echo hi; exec sleep 60");
    await()
        .atMost(WAIT)
        .until(
            () ->
                backend
                    .backend()
                    .agent("it-agent")
                    .map(a -> a.status().name().equals("ONLINE"))
                    .orElse(false));
    await()
        .atMost(WAIT)
        .until(
            () ->
                stderr(p)
                    .contains("connected to " + backend.wsUrl() + "/ws/agent as agent it-agent"));

    StringWriter status = new StringWriter();
    assertThat(cli(status, "status", "--json", "--state-dir", tmp.resolve("state").toString()))
        .isZero();
    assertThat(status.toString())
        .contains("\"agentId\" : \"it-agent\"")
        .contains("\"running\" : true")
        .contains("\"state\" : \"ONLINE\"");

    StringWriter stop = new StringWriter();
    assertThat(
            cli(
                stop,
                "stop",
                "--agent-id",
                "it-agent",
                "--state-dir",
                tmp.resolve("state").toString()))
        .as(stop.toString())
        .isZero();
    assertThat(p.awaitExit(Duration.ofSeconds(15))).isEqualTo(143);
    await()
        .atMost(WAIT)
        .until(
            () ->
                backend
                    .backend()
                    .agent("it-agent")
                    .map(a -> a.status().name().equals("OFFLINE"))
                    .orElse(false));
    Optional<AgentState> a = backend.backend().agent("it-agent");
    assertThat(a.get().disconnectReason()).isEqualTo("Graceful shutdown (SIGTERM)");
    assertThat(stderr(p)).doesNotContain(TOKEN);
  }

  @Test
  void refusedTokenExitsThreeWithTheServersMessage() throws Exception {
    RunningProcess p = start("wrong-token", "--agent-id", "bad-agent", "--", "sleep", "60");
    assertThat(p.awaitExit(Duration.ofSeconds(20))).as(p.transcript()).isEqualTo(3);
    assertThat(stderr(p)).contains("refused authentication").doesNotContain("wrong-token");
  }

  @Test
  void missingAgentBinaryExitsTwoBeforeConnecting() throws Exception {
    RunningProcess p = start(TOKEN, "--agent-id", "nobin", "--", "no-such-agent-xyz");
    assertThat(p.awaitExit(Duration.ofSeconds(20))).as(p.transcript()).isEqualTo(2);
    assertThat(stderr(p)).contains("agent command 'no-such-agent-xyz' not found on PATH");
    assertThat(backend.backend().agent("nobin")).isEmpty();
  }

  @Test
  void mockAgentFromTheDistributionRunsAndGoesOnline() throws Exception {
    RunningProcess p = start(TOKEN, "--agent", "mock", "--agent-id", "mock-agent");
    await()
        .atMost(WAIT)
        .until(
            () ->
                backend
                    .backend()
                    .agent("mock-agent")
                    .map(a -> a.status().name().equals("ONLINE"))
                    .orElse(false));
    assertThat(backend.backend().agent("mock-agent").get().agentType()).isEqualTo("CUSTOM");
    p.signal("TERM");
    assertThat(p.awaitExit(Duration.ofSeconds(15))).isEqualTo(143);
  }
}
