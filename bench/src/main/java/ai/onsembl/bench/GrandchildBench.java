package ai.onsembl.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Goal 2: SIGTERM → process exit when the child has a grandchild. Args: runs. */
public final class GrandchildBench {
  private GrandchildBench() {}

  public static void main(String[] args) throws Exception {
    int runs = Integer.parseInt(args[0]);
    try (BackendProcess backend = BackendProcess.start(null);
        Dashboard dash = Dashboard.open(backend)) {
      Stats exit = new Stats();
      for (int i = 0; i < runs; i++) {
        Wrapper w =
            Wrapper.launch(
                Wrapper.Variant.SHIPPED,
                backend,
                "grand-" + i,
                "sh",
                "-c",
                "sleep 600 & sleep 600; wait");
        try {
          dash.await(
              Dashboard.status(w.agentId, "ONLINE"), Duration.ofSeconds(30), w.agentId + " ONLINE");
          // The grandchild must exist before the signal, or this measures an idle child.
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
          while (w.process.descendants().count() < 3 && System.nanoTime() < deadline) {
            Procs.sleep(Duration.ofMillis(10));
          }
          w.snapshotTree();
          long t0 = System.nanoTime();
          w.process.destroy();
          double ms = Procs.ms(w.exitNanos.get(15, TimeUnit.SECONDS) - t0);
          exit.add(ms);
          System.out.printf("SAMPLE grandchild run %d: %.1f ms%n", i, ms);
          long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
          while (w.tree.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < settle) {
            Procs.sleep(Duration.ofMillis(10));
          }
          long left = w.tree.stream().filter(ProcessHandle::isAlive).count();
          if (left > 0) {
            Results.note(
                "2",
                "grandchild run "
                    + i
                    + ": "
                    + left
                    + " process(es) of the tree were alive 2 s after the wrapper exited");
          }
        } finally {
          w.reap();
        }
      }
      Results.row(
          "2",
          "SIGTERM → process exit, child with a grandchild",
          Goal.p99AtMost(200, "ms"),
          exit,
          "ms",
          "child `sh -c 'sleep 600 & sleep 600; wait'` (sh + 2 sleeps), kill -TERM of the wrapper to its exit");
    }
  }
}
