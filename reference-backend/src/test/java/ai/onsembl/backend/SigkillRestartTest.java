package ai.onsembl.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.protocol.AgentStatus;
import ai.onsembl.protocol.CommandAck;
import ai.onsembl.protocol.CommandRequest;
import ai.onsembl.protocol.CommandStatus;
import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.protocol.StreamType;
import ai.onsembl.protocol.TerminalOutput;
import ai.onsembl.testing.ProtocolClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A backend killed with SIGKILL while agents are ONLINE, restarted on the same file. */
@Timeout(90)
class SigkillRestartTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  private Process process;

  @AfterEach
  void killProcess() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void sigkilledBackendRestartsWithOnlineAgentsOfflineAndExecutingCommandsCancelledAndOutputKept()
      throws Exception {
    Path db = dir.resolve("killed.db");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    process =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                BackendMain.class.getName(),
                db.toString())
            .redirectError(dir.resolve("backend.stderr").toFile())
            .start();
    ReadyLine ready = readyLine(process);
    String ws = ready.wsUrl();
    String http = ready.httpUrl();

    ProtocolClient agent = ProtocolClient.agent(URI.create(ws + "/ws/agent?token=a"), "k-1");
    try {
      agent.answerPings = true;
      Http.Reply posted =
          Http.post(http, "/api/agents/k-1/commands", "d", "{\"content\":\"make\"}");
      String id = posted.json().get("commandId").asText();
      assertThat(
              agent
                  .expect(MessageType.COMMAND_REQUEST, WAIT)
                  .payload(CommandRequest.class)
                  .commandId())
          .isEqualTo(id);
      agent.send(new CommandAck(id, "k-1", EnumValue.of(CommandStatus.EXECUTING), null));
      agent.send(
          new TerminalOutput(id, "k-1", EnumValue.of(StreamType.STDOUT), "compiling\n", 1, null));
      awaitOutputStored(http, id);
      assertThat(Http.get(http, "/api/agents/k-1", "d").json().get("status").asText())
          .isEqualTo("ONLINE");

      process.destroyForcibly();
      assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).isEqualTo(137);
      assertThat(agent.awaitClose(WAIT)).isEqualTo(1006);
    } finally {
      agent.close();
    }

    try (ReferenceBackend restarted =
        ReferenceBackend.start(
            BackendConfig.defaults()
                .withPorts(0, 0)
                .withDatabaseFile(db)
                .withAgentToken("a")
                .withDashboardToken("d"))) {
      assertThat(restarted.staleAgentsAtStartup()).isEqualTo(1);
      AgentState state = restarted.agent("k-1").orElseThrow();
      assertThat(state.status()).isEqualTo(AgentStatus.OFFLINE);
      assertThat(state.disconnectReason()).isEqualTo("Server restarted");
      JsonNode cmd =
          Http.get(restarted.httpUrl(), "/api/commands?agentId=k-1", "d")
              .json()
              .get("commands")
              .get(0);
      assertThat(cmd.get("status").asText()).isEqualTo("CANCELLED");
      assertThat(cmd.get("error").asText()).isEqualTo("Server restarted");
      JsonNode full =
          Http.get(restarted.httpUrl(), "/api/commands/" + cmd.get("commandId").asText(), "d")
              .json();
      assertThat(full.get("output"))
          .extracting(o -> o.get("content").asText())
          .containsExactly("compiling\n");
    }
  }

  private static ReadyLine readyLine(Process p) throws Exception {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line =
        CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return out.readLine();
                  } catch (java.io.IOException e) {
                    return null;
                  }
                })
            .get(30, TimeUnit.SECONDS);
    assertThat(line).as("first stdout line of the backend process").isNotNull();
    return ReadyLine.parse(line);
  }

  private static void awaitOutputStored(String http, String commandId) {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              JsonNode c = Http.get(http, "/api/commands/" + commandId, "d").json();
              assertThat(c.get("status").asText()).isEqualTo("EXECUTING");
              assertThat(c.get("output")).hasSize(1);
            });
  }
}
