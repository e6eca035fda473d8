package ai.onsembl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.backend.AgentState;
import ai.onsembl.backend.BackendConfig;
import ai.onsembl.backend.junit.TestBackend;
import ai.onsembl.wrapper.process.ProcessTree;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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
  private final List<Process> processes = new ArrayList<>();

  @BeforeEach
  void startBackend() {
    backend =
        TestBackend.start(
            BackendConfig.forTests()
                .withAgentToken(TOKEN)
                .withHeartbeat(Duration.ofMillis(500), Duration.ofSeconds(3)));
  }

  @AfterEach
  void stopAll() throws Exception {
    for (Process p : processes) {
      java.util.Set<ProcessHandle> tree = ProcessTree.descendants(p.toHandle());
      tree.add(p.toHandle());
      ProcessTree.killAll(tree, Duration.ofSeconds(5));
      p.waitFor(5, TimeUnit.SECONDS);
    }
    backend.close();
  }

  private Process start(String token, String... args) throws Exception {
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Donsembl.home=" + Path.of("src/dist").toAbsolutePath(),
                "-cp",
                cp,
                OnsemblAgent.class.getName(),
                "start",
                "--state-dir",
                tmp.resolve("state").toString(),
                "--server",
                backend.wsUrl(),
                "--child-grace",
                "1s"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectOutput(tmp.resolve("out.log").toFile())
            .redirectError(tmp.resolve("err.log").toFile());
    pb.environment().remove("ONSEMBL_TOKEN");
    if (token != null) {
      pb.environment().put("ONSEMBL_TOKEN", token);
    }
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  private String stderr() throws Exception {
    return Files.readString(tmp.resolve("err.log"));
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
    Process p =
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
                stderr()
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
    assertThat(p.waitFor(15, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(143);
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
    assertThat(stderr()).doesNotContain(TOKEN);
  }

  @Test
  void refusedTokenExitsThreeWithTheServersMessage() throws Exception {
    Process p = start("wrong-token", "--agent-id", "bad-agent", "--", "sleep", "60");
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(stderr()).isEqualTo(3);
    assertThat(stderr()).contains("refused authentication").doesNotContain("wrong-token");
  }

  @Test
  void missingAgentBinaryExitsTwoBeforeConnecting() throws Exception {
    Process p = start(TOKEN, "--agent-id", "nobin", "--", "no-such-agent-xyz");
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(stderr()).contains("agent command 'no-such-agent-xyz' not found on PATH");
    assertThat(backend.backend().agent("nobin")).isEmpty();
  }

  @Test
  void mockAgentFromTheDistributionRunsAndGoesOnline() throws Exception {
    Process p = start(TOKEN, "--agent", "mock", "--agent-id", "mock-agent");
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
    p.destroy();
    assertThat(p.waitFor(15, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(143);
  }
}
