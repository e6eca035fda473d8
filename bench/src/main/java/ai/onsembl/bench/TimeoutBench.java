package ai.onsembl.bench;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Goal 3b: heartbeat-timeout lateness. Agents go silent (stop reading, so they answer neither PING
 * nor WebSocket pings) right after their last frame; lateness = OFFLINE on a dashboard − (last
 * frame + timeout). Args: agents.
 */
public final class TimeoutBench {
  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  private TimeoutBench() {}

  public static void main(String[] args) throws Exception {
    int runs = Integer.parseInt(args[0]);
    HttpClient client = HttpClient.newHttpClient();
    Map<String, Long> offline = new ConcurrentHashMap<>();
    try (BackendProcess backend =
            BackendProcess.start(null, "--heartbeat-interval", "1s", "--heartbeat-timeout", "2s");
        Dashboard dash =
            Dashboard.open(
                backend,
                e -> {
                  if (e.type().equals("AGENT_STATUS") && "OFFLINE".equals(e.status())) {
                    offline.putIfAbsent(e.agentId(), e.nanos());
                  }
                },
                false)) {
      Stats lateness = new Stats();
      List<SimAgent> agents = new ArrayList<>();
      Map<String, Long> deadlines = new HashMap<>();
      try {
        // Staggered by 100 ms so the deadlines do not coincide; all run in parallel.
        for (int i = 0; i < runs; i++) {
          String id = "timeout-" + i;
          SimAgent a =
              SimAgent.connect(client, backend.agentUri(id), id, BackendProcess.AGENT_TOKEN, true)
                  .get(15, TimeUnit.SECONDS);
          agents.add(a);
          a.goSilent();
          a.heartbeat().get(5, TimeUnit.SECONDS);
          deadlines.put(id, a.lastSentNanos() + TIMEOUT.toNanos());
          Procs.sleep(Duration.ofMillis(100));
        }
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (offline.size() < runs && System.nanoTime() < giveUp) {
          Procs.sleep(Duration.ofMillis(20));
        }
        deadlines.forEach(
            (id, deadline) -> {
              Long seen = offline.get(id);
              if (seen != null) {
                lateness.add(Procs.ms(seen - deadline));
              }
            });
        if (lateness.count() < runs) {
          Results.note(
              "3",
              (runs - lateness.count())
                  + " of "
                  + runs
                  + " silent agents never went OFFLINE in 15 s");
        }
      } finally {
        agents.forEach(SimAgent::abort);
      }
      Results.row(
          "3",
          "Heartbeat-timeout lateness (OFFLINE on a dashboard − deadline)",
          Goal.p99AtMost(100, "ms"),
          lateness,
          "ms",
          "backend `--heartbeat-interval 1s --heartbeat-timeout 2s`; a simulated agent sends a "
              + "heartbeat and stops reading; deadline = that send + 2 s");
    }
  }
}
