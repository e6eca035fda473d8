package ai.onsembl.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's last words, checked where the user sees them (a dashboard socket of a real backend):
 * (a) an agent that prints one line on stdout and one on stderr and exits 3; (b) an agent that
 * prints a line when it gets SIGTERM and exits. Every line must reach the dashboard before the
 * agent's AGENT_DISCONNECT; for (b) also SIGTERM → AGENT_DISCONNECT on the dashboard (an agent that
 * exits promptly on SIGTERM). Args: exit runs, SIGTERM runs.
 */
public final class LastWordsBench {
  private LastWordsBench() {}

  public static void main(String[] args) throws Exception {
    int exitRuns = Integer.parseInt(args[0]);
    int termRuns = Integer.parseInt(args[1]);
    // Text each agent sent, as the dashboard received it (TERMINAL_STREAM of the agent's own
    // output).
    Map<String, StringBuilder> seen = new ConcurrentHashMap<>();
    try (BackendProcess backend = BackendProcess.start(null);
        Dashboard dash =
            Dashboard.open(
                backend,
                e -> {
                  if (e.type().equals("TERMINAL_STREAM")) {
                    String id =
                        e.payload().path("agentId").asText(e.payload().path("commandId").asText());
                    seen.computeIfAbsent(id, k -> new StringBuilder())
                        .append(e.payload().path("content").asText());
                  }
                },
                true)) {
      int exitLost = 0;
      for (int i = 0; i < exitRuns; i++) {
        String id = "lastwords-exit-" + i;
        Wrapper w =
            Wrapper.launch(
                Wrapper.Variant.SHIPPED,
                backend,
                id,
                "sh",
                "-c",
                "sleep 0.3; echo fatal-out-" + i + "; echo fatal-err-" + i + " >&2; exit 3");
        try {
          dash.await(Dashboard.disconnect(id), Duration.ofSeconds(30), id + " AGENT_DISCONNECT");
          String text = seen.getOrDefault(id, new StringBuilder()).toString();
          for (String line : List.of("fatal-out-" + i + "\n", "fatal-err-" + i + "\n")) {
            if (!text.contains(line)) {
              exitLost++;
            }
          }
        } finally {
          w.reap();
        }
      }
      Stats termLatency = new Stats();
      int termLost = 0;
      for (int i = 0; i < termRuns; i++) {
        String id = "lastwords-term-" + i;
        String ready = "ready-" + i;
        Wrapper w =
            Wrapper.launch(
                Wrapper.Variant.SHIPPED,
                backend,
                id,
                "sh",
                "-c",
                "trap 'echo bye-"
                    + i
                    + "; exit 0' TERM; echo "
                    + ready
                    + "; while :; do sleep 0.05; done");
        try {
          dash.await(
              e ->
                  e.type().equals("TERMINAL_STREAM")
                      && seen.getOrDefault(id, new StringBuilder()).toString().contains(ready),
              Duration.ofSeconds(30),
              id + " ready");
          long t0 = System.nanoTime();
          w.process.destroy(); // SIGTERM
          Dashboard.Event bye =
              dash.await(
                  Dashboard.disconnect(id), Duration.ofSeconds(30), id + " AGENT_DISCONNECT");
          termLatency.add(Procs.ms(bye.nanos() - t0));
          if (!seen.getOrDefault(id, new StringBuilder()).toString().contains("bye-" + i + "\n")) {
            termLost++;
          }
        } finally {
          w.reap();
        }
      }
      Results.row(
          "2",
          "Agent exits: lines lost before AGENT_DISCONNECT",
          Goal.maxAtMost(0, "lines"),
          exitLost,
          exitLost,
          exitRuns,
          "lines",
          exitRuns
              + " runs of `sh -c 'sleep 0.3; echo fatal-out; echo fatal-err >&2; "
              + "exit 3'`, 2 lines each ("
              + 2 * exitRuns
              + " in all); lines missing on a dashboard socket when the "
              + "agent's AGENT_DISCONNECT arrived");
      Results.row(
          "2",
          "SIGTERM: the agent's last line lost before AGENT_DISCONNECT",
          Goal.maxAtMost(0, "lines"),
          termLost,
          termLost,
          termRuns,
          "lines",
          termRuns
              + " runs of an agent with `trap 'echo bye; exit 0' TERM`; "
              + "lines missing on a dashboard socket when AGENT_DISCONNECT arrived");
      Results.row(
          "2",
          "SIGTERM → AGENT_DISCONNECT, agent printing a last line",
          Goal.p99AtMost(50, "ms"),
          termLatency,
          "ms",
          "the same runs: kill -TERM of the wrapper to AGENT_DISCONNECT on the dashboard, the "
              + "agent's `bye` (printed on SIGTERM) delivered first");
    }
  }
}
