package ai.onsembl.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.wrapper.testing.RunningProcess;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's last words with real processes: the packaged launcher, the reference backend, a
 * dashboard socket. What an agent prints last (before it exits, or when it gets SIGTERM) is on the
 * dashboard before its AGENT_DISCONNECT. The suite runs 20 exit runs and 10 SIGTERM runs
 * (-Dlastwords.exitRuns / -Dlastwords.termRuns raise them); {@code scripts/bench} (LastWordsBench)
 * runs 200 and 100 and measures SIGTERM → AGENT_DISCONNECT.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@ExtendWith(LeakChecks.class)
class LastWordsIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  @TempDir Path home;

  private RunningProcess wrapper(BackendProcess backend, String id, String script) {
    return Dist.start(
        id,
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
        "--agent-id",
        id,
        "--name",
        id,
        "--headless",
        "--",
        "sh",
        "-c",
        script);
  }

  /**
   * The agent's output as the dashboard received it before the agent's AGENT_DISCONNECT (fails
   * without one).
   */
  private static String textBeforeGoodbye(DashboardClient dash, String agentId) {
    dash.await("AGENT_DISCONNECT", p -> agentId.equals(p.path("agentId").asText()), WAIT);
    StringBuilder text = new StringBuilder();
    for (JsonNode f : dash.frames()) {
      JsonNode p = f.path("payload");
      String type = f.path("type").asText();
      if (type.equals("AGENT_DISCONNECT") && agentId.equals(p.path("agentId").asText())) {
        return text.toString();
      }
      if (type.equals("TERMINAL_STREAM")
          && agentId.equals(p.path("agentId").asText(p.path("commandId").asText()))) {
        text.append(p.path("content").asText());
      }
    }
    throw new AssertionError("no AGENT_DISCONNECT of " + agentId + " among the dashboard's frames");
  }

  @Test
  void theLastLinesOfAnAgentThatExitsReachTheDashboardBeforeItsDisconnect() throws Exception {
    int runs = Integer.getInteger("lastwords.exitRuns", 20);
    try (BackendProcess backend = BackendProcess.start(home.resolve("b.db"), home);
        DashboardClient dash =
            DashboardClient.connect(backend.wsUrl(), BackendProcess.DASHBOARD_TOKEN)) {
      int lost = 0;
      for (int i = 0; i < runs; i++) {
        String id = "exit-" + i;
        try (RunningProcess w =
            wrapper(
                backend,
                id,
                "sleep 0.2; echo fatal-out-" + i + "; echo fatal-err-" + i + " >&2; exit 3")) {
          assertThat(w.awaitExit(WAIT)).as(w.transcript()).isEqualTo(3);
          String text = textBeforeGoodbye(dash, id);
          for (String line : List.of("fatal-out-" + i + "\n", "fatal-err-" + i + "\n")) {
            if (!text.contains(line)) {
              lost++;
            }
          }
        }
      }
      assertThat(lost).as("lines lost of %d", 2 * runs).isZero();
    }
  }

  @Test
  void whatAnAgentPrintsOnSigtermReachesTheDashboardBeforeItsDisconnect() throws Exception {
    int runs = Integer.getInteger("lastwords.termRuns", 10);
    try (BackendProcess backend = BackendProcess.start(home.resolve("b.db"), home);
        DashboardClient dash =
            DashboardClient.connect(backend.wsUrl(), BackendProcess.DASHBOARD_TOKEN)) {
      int lost = 0;
      for (int i = 0; i < runs; i++) {
        String id = "term-" + i;
        String ready = "ready-" + i;
        try (RunningProcess w =
            wrapper(
                backend,
                id,
                "trap 'echo bye-"
                    + i
                    + "; exit 0' TERM; echo "
                    + ready
                    + "; while :; do sleep 0.05; done")) {
          dash.await("TERMINAL_STREAM", p -> p.path("content").asText().contains(ready), WAIT);
          if (i == 0) {
            // the launcher ends an out-of-memory JVM at once rather than let it live on half-dead
            String cmdline =
                Files.readString(Path.of("/proc", Long.toString(w.pid()), "cmdline"))
                    .replace('\0', ' ');
            assertThat(cmdline).contains("-XX:+ExitOnOutOfMemoryError");
          }
          w.signal("TERM");
          assertThat(w.awaitExit(WAIT)).as(w.transcript()).isEqualTo(143);
          if (!textBeforeGoodbye(dash, id).contains("bye-" + i + "\n")) {
            lost++;
          }
        }
      }
      assertThat(lost).as("last lines lost of %d", runs).isZero();
    }
  }
}
