package ai.onsembl.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Goals 1 and 2 on one set of wrappers: launch → ONLINE on a dashboard, VmRSS after 10 s idle, then
 * SIGTERM → AGENT_DISCONNECT on the dashboard and SIGTERM → process exit (idle child {@code
 * sleep}). Args: runs.
 */
public final class LaunchBench {
  private LaunchBench() {}

  public static void main(String[] args) throws Exception {
    int runs = Integer.parseInt(args[0]);
    try (BackendProcess backend = BackendProcess.start(null);
        Dashboard dash = Dashboard.open(backend)) {
      Stats launch = new Stats();
      Stats rss = new Stats();
      Stats goodbye = new Stats();
      Stats exit = new Stats();
      List<Wrapper> live = new ArrayList<>();
      try {
        for (int i = 0; i < runs; i++) {
          Wrapper w =
              Wrapper.launch(Wrapper.Variant.SHIPPED, backend, "launch-" + i, "sleep", "600");
          live.add(w);
          Dashboard.Event online =
              dash.await(
                  Dashboard.status(w.agentId, "ONLINE"),
                  Duration.ofSeconds(30),
                  w.agentId + " ONLINE");
          launch.add(Procs.ms(online.nanos() - w.startNanos));
        }
        // Every wrapper has now been idle (heartbeat 15 s, the backend's default) for at least 10
        // s.
        Procs.sleep(Duration.ofSeconds(10));
        for (Wrapper w : live) {
          rss.add(w.rssKib() / 1024.0);
        }
        for (Wrapper w : live) {
          dash.clear();
          w.snapshotTree();
          long t0 = System.nanoTime();
          w.process.destroy();
          Dashboard.Event bye =
              dash.await(
                  Dashboard.disconnect(w.agentId),
                  Duration.ofSeconds(15),
                  w.agentId + " AGENT_DISCONNECT");
          goodbye.add(Procs.ms(bye.nanos() - t0));
          exit.add(Procs.ms(w.exitNanos.get(15, TimeUnit.SECONDS) - t0));
        }
        live.clear();
      } finally {
        live.forEach(Wrapper::reap);
      }
      String m =
          "packaged launcher, child `sleep 600`, backend as a separate process on 127.0.0.1, "
              + "times on one clock (bench JVM nanoTime), events seen on a dashboard socket";
      Results.row(
          "1",
          "Launch → ONLINE (spawn of `onsembl-agent start` to AGENT_STATUS ONLINE on a dashboard)",
          Goal.medianAndP99AtMost(250, 400, "ms"),
          launch,
          "ms",
          m);
      Results.row(
          "1",
          "Wrapper VmRSS after 10 s idle",
          Goal.maxAtMost(40, "MiB"),
          rss,
          "MiB",
          "VmRSS of the wrapper JVM from /proc/PID/status, 10 s after the last of "
              + runs
              + " wrappers was ONLINE");
      Results.row(
          "2",
          "SIGTERM → AGENT_DISCONNECT (at the backend, seen on a dashboard)",
          Goal.medianAndP99AtMost(25, 50, "ms"),
          goodbye,
          "ms",
          "kill -TERM of the wrapper JVM to AGENT_DISCONNECT on a dashboard socket (an upper bound "
              + "for its arrival at the backend: it includes the broadcast)");
      classesLoaded(backend, dash);
      Results.row(
          "2",
          "SIGTERM → process exit, idle child",
          Goal.p99AtMost(200, "ms"),
          exit,
          "ms",
          "kill -TERM to the JVM's exit (Process.onExit); the child `sleep 600` is stopped by the wrapper");
    }
  }

  /**
   * One more wrapper with {@code -Xlog:class+load} to a file: the classes it loaded when ONLINE
   * reached the dashboard (the log is written line by line as classes load), how many came from the
   * AppCDS archive, and the total after SIGTERM and exit.
   */
  private static void classesLoaded(BackendProcess backend, Dashboard dash) throws Exception {
    Path log = Files.createTempFile("bench-classes", ".log");
    try {
      Wrapper w =
          Wrapper.launch(
              Wrapper.Variant.SHIPPED,
              backend,
              "classes",
              Map.of("ONSEMBL_JAVA_OPTS", "-Xlog:class+load:file=" + log),
              "sleep",
              "600");
      try {
        dash.await(Dashboard.status(w.agentId, "ONLINE"), Duration.ofSeconds(30), "classes ONLINE");
        List<String> online = Files.readAllLines(log);
        w.process.destroy();
        w.exitNanos.get(15, TimeUnit.SECONDS);
        List<String> all = Files.readAllLines(log);
        long shared =
            online.stream().filter(l -> l.contains("source: shared objects file")).count();
        Results.row(
            "1",
            "Classes loaded by the wrapper before ONLINE",
            Goal.none(),
            online.size(),
            online.size(),
            1,
            "classes",
            "-Xlog:class+load of one more wrapper, lines when ONLINE reached the dashboard; "
                + shared
                + " of them mapped from the AppCDS archive; "
                + all.size()
                + " in all after SIGTERM and exit; "
                + online.stream()
                    .filter(l -> l.contains(" com.fasterxml.jackson.databind."))
                    .count()
                + " jackson-databind, "
                + online.stream().filter(l -> l.contains(" ai.onsembl.backend.")).count()
                + " reference-backend");
      } finally {
        w.reap();
      }
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
