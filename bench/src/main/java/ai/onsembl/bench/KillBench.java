package ai.onsembl.bench;

import java.time.Duration;

/** Goal 2: SIGKILL of a wrapper → AGENT_STATUS OFFLINE on a dashboard socket. Args: runs. */
public final class KillBench {
  private KillBench() {}

  public static void main(String[] args) throws Exception {
    int runs = Integer.parseInt(args[0]);
    try (BackendProcess backend = BackendProcess.start(null);
        Dashboard dash = Dashboard.open(backend)) {
      Stats offline = new Stats();
      for (int i = 0; i < runs; i++) {
        Wrapper w = Wrapper.launch(Wrapper.Variant.SHIPPED, backend, "kill-" + i, "sleep", "600");
        try {
          dash.await(
              Dashboard.status(w.agentId, "ONLINE"), Duration.ofSeconds(30), w.agentId + " ONLINE");
          w.snapshotTree();
          long t0 = System.nanoTime();
          w.process.destroyForcibly();
          Dashboard.Event off =
              dash.await(
                  Dashboard.status(w.agentId, "OFFLINE"),
                  Duration.ofSeconds(30),
                  w.agentId + " OFFLINE");
          offline.add(Procs.ms(off.nanos() - t0));
        } finally {
          w.reap();
        }
      }
      Results.row(
          "2",
          "SIGKILL → OFFLINE on a dashboard",
          Goal.p99AtMost(100, "ms"),
          offline,
          "ms",
          "kill -KILL of the wrapper JVM to AGENT_STATUS OFFLINE on a dashboard socket (kernel closes the socket; "
              + "the orphaned `sleep` is killed by the bench afterwards)");
    }
  }
}
