package ai.onsembl.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.backend.junit.ReferenceBackendTest;
import ai.onsembl.backend.junit.TestBackend;
import ai.onsembl.protocol.AgentStatus;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** With a real process: a SIGSTOPped agent is OFFLINE "Heartbeat timeout" in time. */
@Timeout(90)
@ReferenceBackendTest(heartbeatIntervalMillis = 300, heartbeatTimeoutMillis = 1500)
class SigstopTest {
  private Process agent;

  @AfterEach
  void killAgent() throws InterruptedException {
    if (agent != null && agent.isAlive()) {
      agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static void signal(String sig, long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0)
        .as("kill -" + sig)
        .isTrue();
  }

  @Test
  void pongingAgentStaysOnlineUntilSigstopThenIsOfflineHeartbeatTimeoutWithinTimeoutPlusOneSecond(
      TestBackend backend) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    agent =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                AgentMain.class.getName(),
                backend.agentUri("stopped-1").toString(),
                "stopped-1")
            .redirectErrorStream(true)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8));
    String line =
        CompletableFuture.supplyAsync(
                () -> {
                  try {
                    for (String l = out.readLine(); l != null; l = out.readLine()) {
                      if (l.equals("connected")) {
                        return l;
                      }
                    }
                    return null;
                  } catch (java.io.IOException e) {
                    return null;
                  }
                })
            .get(60, TimeUnit.SECONDS);
    assertThat(line).isEqualTo("connected");
    backend.awaitAgentStatus("stopped-1", AgentStatus.ONLINE, Duration.ofSeconds(5));

    // Three timeouts on PONGs alone: still ONLINE.
    await()
        .during(backend.config().heartbeatTimeout().multipliedBy(3))
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(backend.backend().agent("stopped-1"))
                    .get()
                    .extracting(AgentState::status)
                    .isEqualTo(AgentStatus.ONLINE));

    signal("STOP", agent.pid());
    long stoppedAt = System.nanoTime();
    AgentState s =
        backend.awaitAgentStatus(
            "stopped-1", AgentStatus.OFFLINE, backend.config().heartbeatTimeout().plusSeconds(1));
    Duration took = Duration.ofNanos(System.nanoTime() - stoppedAt);

    assertThat(s.disconnectReason()).isEqualTo("Heartbeat timeout");
    assertThat(took)
        .as("SIGSTOP to OFFLINE")
        .isLessThanOrEqualTo(backend.config().heartbeatTimeout().plusSeconds(1));
    signal("CONT", agent.pid());
  }
}
