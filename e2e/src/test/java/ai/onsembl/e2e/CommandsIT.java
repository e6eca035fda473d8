package ai.onsembl.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.wrapper.testing.RunningProcess;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end through the reference backend: a command posted over REST runs in a real wrapper
 * process, and its output reaches the store and a dashboard socket in order, exactly once, with its
 * final status; a wrapper killed mid-command leaves the command CANCELLED "Agent disconnected".
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@ExtendWith(LeakChecks.class)
class CommandsIT {
  @TempDir Path home;

  private RunningProcess wrapper(BackendProcess backend, String name, String mode) {
    RunningProcess w =
        Dist.start(
            name,
            Map.of(
                "HOME",
                home.toString(),
                "ONSEMBL_TOKEN",
                BackendProcess.AGENT_TOKEN,
                "ONSEMBL_STATE_DIR",
                home.resolve("state").toString()),
            home,
            "start",
            "--server",
            backend.wsUrl(),
            "--agent",
            "mock",
            "--name",
            name,
            "--mode",
            mode);
    backend.awaitAgent(name, "ONLINE", Duration.ofSeconds(30));
    return w;
  }

  @Test
  void restCommandStreamsInOrderExactlyOnceToStoreAndDashboardInBothModes() throws Exception {
    try (BackendProcess backend = BackendProcess.start(home.resolve("b.db"), home);
        DashboardClient dash =
            DashboardClient.connect(backend.wsUrl(), BackendProcess.DASHBOARD_TOKEN)) {
      for (String mode : List.of("exec", "session")) {
        String name = "cmd-" + mode;
        try (RunningProcess w = wrapper(backend, name, mode)) {
          String agentId = backend.agentNamed(name).orElseThrow().path("agentId").asText();
          JsonNode posted =
              backend.post(
                  "/api/agents/" + agentId + "/commands", "{\"content\":\"print 3000 lines\"}");
          String commandId = posted.path("commandId").asText();
          assertThat(commandId).as(posted.toString()).isNotEmpty();

          JsonNode done = awaitCommand(backend, commandId, "COMPLETED");
          String expected =
              IntStream.rangeClosed(1, 3000)
                  .mapToObj(i -> "line " + i + "\n")
                  .collect(Collectors.joining());

          // the store: contiguous sequences from 1, each once, content complete and in order
          List<JsonNode> stored = new ArrayList<>();
          done.path("output").forEach(stored::add);
          assertThat(stored)
              .extracting(o -> o.path("sequence").asLong())
              .containsExactlyElementsOf(
                  IntStream.rangeClosed(1, stored.size()).mapToObj(i -> (long) i).toList());
          assertThat(
                  stored.stream()
                      .map(o -> o.path("content").asText())
                      .collect(Collectors.joining()))
              .contains(expected);

          // the dashboard: every chunk exactly once, in order, then COMPLETED
          dash.await(
              "COMMAND_STATUS",
              p ->
                  commandId.equals(p.path("commandId").asText())
                      && "COMPLETED".equals(p.path("status").asText()),
              Duration.ofSeconds(10));
          List<JsonNode> streamed =
              dash.frames("TERMINAL_STREAM").stream()
                  .map(f -> f.path("payload"))
                  .filter(p -> commandId.equals(p.path("commandId").asText()))
                  .toList();
          assertThat(streamed)
              .extracting(p -> p.path("sequence").asLong())
              .containsExactlyElementsOf(
                  IntStream.rangeClosed(1, streamed.size()).mapToObj(i -> (long) i).toList());
          assertThat(
                  streamed.stream()
                      .map(p -> p.path("content").asText())
                      .collect(Collectors.joining()))
              .isEqualTo(
                  stored.stream()
                      .map(o -> o.path("content").asText())
                      .collect(Collectors.joining()));
          List<String> statuses =
              dash.frames("COMMAND_STATUS").stream()
                  .map(f -> f.path("payload"))
                  .filter(p -> commandId.equals(p.path("commandId").asText()))
                  .map(p -> p.path("status").asText())
                  .toList();
          assertThat(statuses).containsSubsequence("EXECUTING", "COMPLETED");

          w.signal("TERM");
          assertThat(w.awaitExit(Duration.ofSeconds(15))).isEqualTo(143);
        }
      }
    }
  }

  @Test
  void failingCommandReportsFailedWithItsExitCodeAndStderrApart() throws Exception {
    try (BackendProcess backend = BackendProcess.start(home.resolve("b.db"), home);
        RunningProcess w = wrapper(backend, "cmd-fail", "exec")) {
      String agentId = backend.agentNamed("cmd-fail").orElseThrow().path("agentId").asText();
      String commandId =
          backend
              .post("/api/agents/" + agentId + "/commands", "{\"content\":\"fail 3\"}")
              .path("commandId")
              .asText();
      JsonNode done = awaitCommand(backend, commandId, "FAILED");
      assertThat(done.path("exitCode").asInt()).isEqualTo(3);
      assertThat(done.path("output").findValuesAsText("streamType")).contains("STDERR");
      w.signal("TERM");
      w.awaitExit(Duration.ofSeconds(15));
    }
  }

  @Test
  void wrapperKilledMidCommandLeavesTheCommandCancelledAgentDisconnected() throws Exception {
    try (BackendProcess backend = BackendProcess.start(home.resolve("b.db"), home);
        DashboardClient dash =
            DashboardClient.connect(backend.wsUrl(), BackendProcess.DASHBOARD_TOKEN);
        RunningProcess w = wrapper(backend, "cmd-kill", "exec")) {
      String agentId = backend.agentNamed("cmd-kill").orElseThrow().path("agentId").asText();
      String commandId =
          backend
              .post("/api/agents/" + agentId + "/commands", "{\"content\":\"sleep 30\"}")
              .path("commandId")
              .asText();
      awaitCommand(backend, commandId, "EXECUTING");

      w.signal("KILL");
      assertThat(w.awaitExit(Duration.ofSeconds(10))).isEqualTo(137);

      JsonNode cancelled = awaitCommand(backend, commandId, "CANCELLED");
      assertThat(cancelled.path("error").asText()).isEqualTo("Agent disconnected");
      backend.awaitAgent("cmd-kill", "OFFLINE", Duration.ofSeconds(5));
      dash.await(
          "COMMAND_STATUS",
          p ->
              commandId.equals(p.path("commandId").asText())
                  && "CANCELLED".equals(p.path("status").asText()),
          Duration.ofSeconds(5));
      dash.await(
          "AGENT_DISCONNECT",
          p -> agentId.equals(p.path("agentId").asText()),
          Duration.ofSeconds(5));
    }
  }

  @Test
  void commandForAnOfflineAgentIsRefusedClearly() throws Exception {
    try (BackendProcess backend = BackendProcess.start(home.resolve("b.db"), home)) {
      try (RunningProcess w = wrapper(backend, "cmd-gone", "exec")) {
        w.signal("TERM");
        w.awaitExit(Duration.ofSeconds(15));
      }
      JsonNode agent = backend.awaitAgent("cmd-gone", "OFFLINE", Duration.ofSeconds(5));
      JsonNode refused =
          backend.post(
              "/api/agents/" + agent.path("agentId").asText() + "/commands",
              "{\"content\":\"echo hi\"}");
      assertThat(refused.toString()).contains("AGENT_OFFLINE");
    }
  }

  private static JsonNode awaitCommand(BackendProcess backend, String commandId, String status) {
    JsonNode[] last = new JsonNode[1];
    Awaitility.await("command " + commandId + " " + status)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              last[0] = backend.get("/api/commands/" + commandId);
              return status.equals(last[0].path("status").asText());
            });
    return last[0];
  }
}
