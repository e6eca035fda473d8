package ai.onsembl.backend;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.backend.junit.ReferenceBackendTest;
import ai.onsembl.backend.junit.TestBackend;
import ai.onsembl.protocol.AgentHeartbeat;
import ai.onsembl.protocol.HealthMetrics;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.testing.ProtocolClient;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The heartbeat-processing lag histogram that scripts/bench reads from /metrics. */
@Timeout(60)
@ReferenceBackendTest(heartbeatIntervalMillis = 200, heartbeatTimeoutMillis = 5000)
class HeartbeatLagMetricTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void heartbeatsAreCountedInTheLagHistogramByTheirEnvelopeTimestamp(TestBackend backend)
      throws Exception {
    ProtocolClient agent = ProtocolClient.agent(backend.agentUri("lag-1"), "lag-1");
    try {
      HealthMetrics health = new HealthMetrics(1.0, 2.0, 3L, 4L, 5.0);
      agent.send(Message.of(new AgentHeartbeat("lag-1", health)));
      // Stamped 300 ms in the past: must land above the 0.25 s bucket, not in it.
      agent.send(
          new Message(
              MessageType.AGENT_HEARTBEAT,
              "hb-old",
              System.currentTimeMillis() - 300,
              new AgentHeartbeat("lag-1", health)));

      Awaitility.await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                String body =
                    Http.get(backend.httpUrl(), "/metrics", backend.dashboardToken()).body();
                assertThat(body)
                    .contains(
                        "agent_heartbeat_lag_seconds_count 2",
                        "agent_heartbeat_lag_seconds_bucket{le=\"0.25\"} 1",
                        "agent_heartbeat_lag_seconds_bucket{le=\"0.5\"} 2");
              });
    } finally {
      agent.close();
    }
  }
}
