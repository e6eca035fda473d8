package ai.onsembl.bench;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Goal 3a: an agent closing (AGENT_DISCONNECT then a close frame 1000) → AGENT_DISCONNECT on a
 * dashboard. The agent is a simulated one in this JVM, so both ends are on one clock. Args: runs.
 */
public final class CloseBench {
  private CloseBench() {}

  public static void main(String[] args) throws Exception {
    int runs = Integer.parseInt(args[0]);
    HttpClient client = HttpClient.newHttpClient();
    try (BackendProcess backend = BackendProcess.start(null);
        Dashboard dash = Dashboard.open(backend)) {
      Stats latency = new Stats();
      for (int i = 0; i < runs; i++) {
        String id = "close-" + i;
        SimAgent a =
            SimAgent.connect(client, backend.agentUri(id), id, BackendProcess.AGENT_TOKEN)
                .get(15, TimeUnit.SECONDS);
        try {
          dash.await(Dashboard.status(id, "ONLINE"), Duration.ofSeconds(15), id + " ONLINE");
          // Let SERVER_HEARTBEAT arrive first, so the close is the only thing in flight.
          Procs.sleep(Duration.ofMillis(50));
          long t0 = System.nanoTime();
          a.closeCleanly();
          Dashboard.Event bye =
              dash.await(
                  Dashboard.disconnect(id), Duration.ofSeconds(15), id + " AGENT_DISCONNECT");
          latency.add(Procs.ms(bye.nanos() - t0));
        } finally {
          a.abort();
        }
      }
      Results.row(
          "3",
          "Agent close → AGENT_DISCONNECT on a dashboard",
          Goal.p99AtMost(100, "ms"),
          latency,
          "ms",
          "simulated agent (JDK WebSocket) sends AGENT_DISCONNECT + close 1000; time to the dashboard's "
              + "AGENT_DISCONNECT, one clock");
    }
  }
}
