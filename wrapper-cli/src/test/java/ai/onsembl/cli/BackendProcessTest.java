package ai.onsembl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.backend.ReadyLine;
import ai.onsembl.testing.ProtocolClient;
import ai.onsembl.wrapper.testing.RunningProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code onsembl-agent backend} as a real JVM process stopped with a real SIGTERM. */
@Timeout(120)
class BackendProcessTest {
  @TempDir Path home;
  private final List<RunningProcess> processes = new ArrayList<>();
  private RunningProcess process;

  @AfterEach
  void kill() {
    processes.forEach(RunningProcess::close);
  }

  private ReadyLine startBackend() {
    process =
        RunningProcess.builder(
                "backend",
                RunningProcess.javaCommand(
                    List.of(), OnsemblAgent.class, "backend", "--port", "0", "--http-port", "0"))
            .env("HOME", home.toString()) // the default database follows $HOME, as a shell's would
            .env("ONSEMBL_BACKEND_AGENT_TOKEN", "proc-agent")
            .env("ONSEMBL_BACKEND_DASHBOARD_TOKEN", "proc-dash")
            .start();
    processes.add(process);
    String line = process.awaitStdout(l -> true, Duration.ofSeconds(60)); // the first line
    assertThat(ReadyLine.find(line))
        .as("ready line, got " + line + "; stderr: " + stderr())
        .isPresent();
    return ReadyLine.parse(line);
  }

  /** The stderr of the backend started last. */
  private String stderr() {
    return String.join("\n", process.stderr());
  }

  private static String get(String url) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer proc-dash")
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  void sigtermClosesAgentsWith1001MarksThemOfflineAndExitsWithTheDefaultDatabaseKept()
      throws Exception {
    ReadyLine ready = startBackend();
    ProtocolClient agent =
        ProtocolClient.agent(URI.create(ready.wsUrl() + "/ws/agent?token=proc-agent"), "proc-1");
    try {
      assertThat(get(ready.httpUrl() + "/api/agents/proc-1")).contains("\"status\":\"ONLINE\"");

      process.signal("TERM");
      assertThat(agent.awaitClose(Duration.ofSeconds(10))).isEqualTo(1001);
      assertThat(process.awaitExit(Duration.ofSeconds(10))).as("exit after SIGTERM").isEqualTo(143);
    } finally {
      agent.close();
    }
    Path db = home.resolve(".onsembl").resolve("backend.db");
    assertThat(db).exists();
    String log = stderr();
    assertThat(log).doesNotContain("proc-agent").doesNotContain("proc-dash");

    ReadyLine again = startBackend();
    String state = get(again.httpUrl() + "/api/agents/proc-1");
    assertThat(state)
        .contains("\"status\":\"OFFLINE\"")
        .contains("\"disconnectReason\":\"Server stopped\"");
    process.awaitStderr(l -> l.contains("Startup cleanup: 0 agent(s)"), Duration.ofSeconds(10));
  }
}
