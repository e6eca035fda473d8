package ai.onsembl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.backend.ReadyLine;
import ai.onsembl.testing.ProtocolClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code onsembl-agent backend} as a real JVM process stopped with a real SIGTERM. */
@Timeout(120)
class BackendProcessTest {
  @TempDir Path home;
  private Process process;

  @AfterEach
  void kill() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private ReadyLine startBackend() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            OnsemblAgent.class.getName(),
            "backend",
            "--port",
            "0",
            "--http-port",
            "0");
    pb.environment()
        .put("HOME", home.toString()); // the default database follows $HOME, as a shell's would
    pb.environment().put("ONSEMBL_BACKEND_AGENT_TOKEN", "proc-agent");
    pb.environment().put("ONSEMBL_BACKEND_DASHBOARD_TOKEN", "proc-dash");
    pb.redirectError(home.resolve("stderr.txt").toFile());
    process = pb.start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line =
        CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return out.readLine();
                  } catch (java.io.IOException e) {
                    return null;
                  }
                })
            .get(60, TimeUnit.SECONDS);
    assertThat(ReadyLine.find(line))
        .as("ready line, got " + line + "; stderr: " + stderr())
        .isPresent();
    return ReadyLine.parse(line);
  }

  private String stderr() throws java.io.IOException {
    Path p = home.resolve("stderr.txt");
    return Files.exists(p) ? Files.readString(p) : "";
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

      process.destroy(); // SIGTERM
      assertThat(agent.awaitClose(Duration.ofSeconds(10))).isEqualTo(1001);
      assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
      assertThat(process.exitValue()).isEqualTo(143);
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
    assertThat(List.of(stderr().split("\n")))
        .anyMatch(l -> l.contains("Startup cleanup: 0 agent(s)"));
  }
}
