package ai.onsembl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.backend.ReadyLine;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code onsembl-agent backend} in process: flags, environment, the ready line, generated tokens,
 * exit codes.
 */
@Timeout(60)
class BackendCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final Map<String, String> env = new HashMap<>();
  private BackendCommand command;
  private CompletableFuture<Integer> exit;

  @TempDir Path dir;

  @AfterEach
  void stopBackend() throws Exception {
    if (command != null) {
      command.stop();
      exit.get(10, TimeUnit.SECONDS);
    }
  }

  private CommandLine commandLine() {
    CommandLine cl = OnsemblAgent.newCommandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    BackendCommand c = cl.getSubcommands().get("backend").getCommand();
    c.env = env;
    c.installShutdownHook = false;
    command = c;
    return cl;
  }

  private int runToCompletion(String... args) {
    CommandLine cl = commandLine();
    int code = cl.execute(args);
    command = null;
    return code;
  }

  /** Starts the command on another thread and returns the matched ready line. */
  private ReadyLine start(String... args) {
    CommandLine cl = commandLine();
    exit = CompletableFuture.supplyAsync(() -> cl.execute(args));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> ReadyLine.find(out.toString()).isPresent() || exit.isDone());
    assertThat(ReadyLine.find(out.toString()))
        .as("ready line on stdout; stderr was: " + err)
        .isPresent();
    return ReadyLine.parse(out.toString());
  }

  private static HttpResponse<String> get(String url, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void helpListsEveryFlagAndTheEnvironmentVariables() {
    assertThat(runToCompletion("backend", "--help")).isZero();
    assertThat(out.toString())
        .contains(
            "--host",
            "--port",
            "--http-port",
            "--db",
            "--agent-token",
            "--dashboard-token",
            "--jwt-secret",
            "--heartbeat-interval",
            "--heartbeat-timeout",
            "ONSEMBL_BACKEND_AGENT_TOKEN",
            "ONSEMBL_BACKEND_DASHBOARD_TOKEN",
            "ONSEMBL_BACKEND_JWT_SECRET",
            "~/.onsembl/backend.db",
            "generated");
  }

  @Test
  void printsExactlyOneReadyLineServesAndStopsWithExitZero() throws Exception {
    ReadyLine ready =
        start(
            "backend",
            "--port",
            "0",
            "--http-port",
            "0",
            "--db",
            dir.resolve("b.db").toString(),
            "--agent-token",
            "agent-secret",
            "--dashboard-token",
            "dash-secret",
            "--heartbeat-interval",
            "250ms",
            "--heartbeat-timeout",
            "PT2S");
    String http = ready.httpUrl();
    assertThat(ready.wsPort()).isPositive();
    assertThat(ready.wsUrl()).startsWith("ws://127.0.0.1:");

    assertThat(get(http + "/healthz", null).statusCode()).isEqualTo(200);
    assertThat(get(http + "/api/agents", "dash-secret").body()).isEqualTo("{\"agents\":[]}");
    assertThat(get(http + "/api/agents", "agent-secret").statusCode()).isEqualTo(401);
    assertThat(dir.resolve("b.db")).exists();

    command.stop();
    assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    command = null;
    assertThat(out.toString().lines()).hasSize(1);
    assertThat(out.toString() + err).doesNotContain("agent-secret").doesNotContain("dash-secret");
  }

  @Test
  void secretsFromTheEnvironmentWorkAndAreNeverPrinted() throws Exception {
    env.put("ONSEMBL_BACKEND_AGENT_TOKEN", "env-agent-token-1234");
    env.put("ONSEMBL_BACKEND_DASHBOARD_TOKEN", "env-dashboard-token-5678");
    env.put("ONSEMBL_BACKEND_JWT_SECRET", "env-jwt-secret-90");
    ReadyLine ready = start("backend", "--port", "0", "--http-port", "0", "--db", ":memory:");

    assertThat(get(ready.httpUrl() + "/api/agents", "env-dashboard-token-5678").statusCode())
        .isEqualTo(200);
    assertThat(out.toString() + err)
        .doesNotContain("env-agent-token-1234")
        .doesNotContain("env-dashboard-token-5678")
        .doesNotContain("env-jwt-secret-90")
        .doesNotContain("generated");
  }

  @Test
  void flagsWinOverTheEnvironment() throws Exception {
    env.put("ONSEMBL_BACKEND_DASHBOARD_TOKEN", "from-env");
    ReadyLine ready =
        start(
            "backend",
            "--port",
            "0",
            "--http-port",
            "0",
            "--db",
            ":memory:",
            "--agent-token",
            "a",
            "--dashboard-token",
            "from-flag");
    assertThat(get(ready.httpUrl() + "/api/agents", "from-flag").statusCode()).isEqualTo(200);
    assertThat(get(ready.httpUrl() + "/api/agents", "from-env").statusCode()).isEqualTo(401);
  }

  @Test
  void withoutCredentialsRandomTokensAreGeneratedAndPrintedOnStderr() throws Exception {
    ReadyLine ready = start("backend", "--port", "0", "--http-port", "0", "--db", ":memory:");
    Matcher dash = Pattern.compile("generated dashboard token: (\\S+)").matcher(err.toString());
    assertThat(dash.find()).as(err.toString()).isTrue();
    assertThat(err.toString()).containsPattern("generated agent token: [A-Za-z0-9_-]{32}");
    assertThat(get(ready.httpUrl() + "/api/agents", dash.group(1)).statusCode()).isEqualTo(200);
    assertThat(out.toString()).doesNotContain("generated");
  }

  @Test
  void badFlagsExitTwoWithoutStartingOrPrintingSecrets() {
    assertThat(runToCompletion("backend", "--heartbeat-interval", "5x")).isEqualTo(2);
    assertThat(err.toString()).contains("expected a duration");
    assertThat(runToCompletion("backend", "--port", "70000", "--db", ":memory:")).isEqualTo(2);
    assertThat(err.toString()).contains("wsPort must be 0..65535 but was 70000");
    assertThat(
            runToCompletion(
                "backend",
                "--heartbeat-interval",
                "5s",
                "--heartbeat-timeout",
                "1s",
                "--db",
                ":memory:"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains("heartbeatTimeout must be at least heartbeatInterval")
        .doesNotContain("generated");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void aPortInUseExitsOneWithAClearMessage() throws Exception {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
      assertThat(
              runToCompletion(
                  "backend",
                  "--port",
                  String.valueOf(taken.getLocalPort()),
                  "--http-port",
                  "0",
                  "--db",
                  ":memory:",
                  "--agent-token",
                  "a",
                  "--dashboard-token",
                  "d"))
          .isEqualTo(1);
      assertThat(err.toString()).contains("cannot listen on");
    }
  }

  @Test
  void aWebSocketPortThatStopsListeningEndsTheProcessWithStatus70() throws Exception {
    start(
        "backend",
        "--port",
        "0",
        "--http-port",
        "0",
        "--db",
        ":memory:",
        "--agent-token",
        "a",
        "--dashboard-token",
        "d");
    // The backend's port guard calls this when the listening channel is gone (HostilePortsTest
    // closes the channel of a real backend and sees the guard call it); here: what the CLI does
    // then.
    command.listenerLost();

    assertThat(exit.get(10, TimeUnit.SECONDS))
        .isEqualTo(BackendCommand.EXIT_LISTENER_LOST)
        .isEqualTo(70);
    assertThat(err.toString()).contains("the WebSocket port stopped listening");
    command = null;
  }

  @Test
  void agentTokensFromAFileAreBoundToTheirAgentIdsAndABadFileIsAUsageError() throws Exception {
    Path bad = dir.resolve("bad-tokens");
    java.nio.file.Files.writeString(bad, "# tokens\nsecret-without-ids\n");
    assertThat(runToCompletion("backend", "--db", ":memory:", "--agent-tokens", bad.toString()))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains("--agent-tokens: " + bad + " line 2: expected TOKEN AGENT_ID")
        .doesNotContain("secret-without-ids");

    Path file = dir.resolve("agent-tokens");
    java.nio.file.Files.writeString(file, "tok-1 b-1\n");
    ReadyLine ready =
        start(
            "backend",
            "--port",
            "0",
            "--http-port",
            "0",
            "--db",
            ":memory:",
            "--agent-tokens",
            file.toString(),
            "--dashboard-token",
            "d");
    assertThat(err.toString()).doesNotContain("generated agent token");
    ai.onsembl.testing.ProtocolClient ok =
        ai.onsembl.testing.ProtocolClient.agent(
            URI.create(ready.wsUrl() + "/ws/agent?token=tok-1"), "b-1");
    ok.closeBounded(Duration.ofSeconds(2));
    ai.onsembl.testing.ProtocolClient other =
        ai.onsembl.testing.ProtocolClient.open(URI.create(ready.wsUrl() + "/ws/agent?token=tok-1"));
    other.send(ai.onsembl.testing.ProtocolClient.agentConnect("b-2"));
    assertThat(other.awaitClose(Duration.ofSeconds(5))).isEqualTo(4401);
  }
}
