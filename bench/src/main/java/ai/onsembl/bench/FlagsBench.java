package ai.onsembl.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The effect of the launcher's tuning: launch → ONLINE and VmRSS after 10 s idle for each {@link
 * Wrapper.Variant}, the variants interleaved run by run so background load hits them alike. Args:
 * runs per variant.
 */
public final class FlagsBench {
  private FlagsBench() {}

  public static void main(String[] args) throws Exception {
    int runs = Integer.parseInt(args[0]);
    // -Dbench.dists=DIR,DIR,...: compare copies of the distribution (e.g. archive variants) as
    // shipped instead.
    String dists = System.getProperty("bench.dists");
    Path[] paths =
        dists == null ? null : Arrays.stream(dists.split(",")).map(Path::of).toArray(Path[]::new);
    Wrapper.Variant[] variants =
        paths == null
            ? Wrapper.Variant.values()
            : Collections.nCopies(paths.length, Wrapper.Variant.SHIPPED)
                .toArray(Wrapper.Variant[]::new);
    try (BackendProcess backend = BackendProcess.start(null);
        Dashboard dash = Dashboard.open(backend)) {
      Stats[] launch = new Stats[variants.length];
      Stats[] rss = new Stats[variants.length];
      Stats[] cpu = new Stats[variants.length];
      for (int v = 0; v < variants.length; v++) {
        launch[v] = new Stats();
        rss[v] = new Stats();
        cpu[v] = new Stats();
      }
      List<Wrapper> live = new ArrayList<>();
      List<Integer> liveVariant = new ArrayList<>();
      try {
        for (int i = 0; i < runs; i++) {
          for (int v = 0; v < variants.length; v++) {
            Wrapper w =
                Wrapper.launch(
                    variants[v],
                    paths == null ? Procs.dist() : paths[v],
                    backend,
                    "flags-" + v + "-" + i,
                    "sleep",
                    "600");
            live.add(w);
            liveVariant.add(v);
            Dashboard.Event online =
                dash.await(
                    Dashboard.status(w.agentId, "ONLINE"),
                    Duration.ofSeconds(30),
                    w.agentId + " ONLINE");
            launch[v].add(Procs.ms(online.nanos() - w.startNanos));
            // CPU time is far less inflated than wall time by the other processes on these shared
            // cores.
            cpu[v].add(Procs.cpuTicks(w.process.pid()) * 10.0);
          }
        }
        Procs.sleep(Duration.ofSeconds(10));
        for (int i = 0; i < live.size(); i++) {
          rss[liveVariant.get(i)].add(live.get(i).rssKib() / 1024.0);
        }
      } finally {
        live.forEach(Wrapper::reap);
      }
      for (int v = 0; v < variants.length; v++) {
        String label = paths == null ? variants[v].label : paths[v].toString();
        Results.row(
            "T",
            "Launch → ONLINE, " + label,
            Goal.none(),
            launch[v],
            "ms",
            "as goal 1, variants interleaved");
        Results.row(
            "T",
            "Wrapper CPU time (user+sys) until ONLINE, " + label,
            Goal.none(),
            cpu[v],
            "ms",
            "/proc/PID/stat of the wrapper read when ONLINE arrived (10 ms ticks); less sensitive to load than wall time");
        Results.row(
            "T",
            "VmRSS after 10 s idle, " + label,
            Goal.none(),
            rss[v],
            "MiB",
            "as goal 1, variants interleaved");
      }
    }
  }
}
