package ai.onsembl.bench;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Goal 4a: a child writing flat out ({@code yes | head -c N}) → TERMINAL_STREAM bytes on a
 * dashboard; MB/s from the first chunk's arrival to the last one's. Args: runs, MiB per run, and
 * {@code shipped} for the packaged backend with its default rate limit (else {@link BenchBackend}
 * with the per-agent limit raised).
 */
public final class OutputBench {
  /**
   * Frames/s per agent for the raised-limit runs: far above what 50 MB/s in 16 KiB chunks needs
   * (~3,100).
   */
  static final int RAISED_AGENT_RATE = 100_000;

  private OutputBench() {}

  public static void main(String[] args) throws Exception {
    int runs = Integer.parseInt(args[0]);
    long bytes = Long.parseLong(args[1]) * 1024 * 1024;
    AtomicLong received = new AtomicLong();
    AtomicLong first = new AtomicLong();
    AtomicLong last = new AtomicLong();
    String[] current = new String[1];
    AtomicLong drops = new AtomicLong();
    boolean shipped = args.length > 2 && args[2].equals("shipped");
    try (BackendProcess backend =
            shipped
                ? BackendProcess.start(null)
                : BackendProcess.startWithRateLimits(RAISED_AGENT_RATE, 50);
        CountingDashboard dash =
            CountingDashboard.open(
                backend,
                e -> {
                  if (e.agentId() == null || !e.agentId().equals(current[0])) {
                    return;
                  }
                  if (e.type().equals("TERMINAL_STREAM")) {
                    first.compareAndSet(0, e.nanos());
                    last.set(e.nanos());
                    received.addAndGet(Math.max(0, e.contentChars()));
                  } else if (e.type().equals("AGENT_DISCONNECT")) {
                    drops.incrementAndGet();
                  }
                })) {
      Stats mbps = new Stats();
      for (int i = 0; i < runs; i++) {
        String id = "output-" + i;
        drops.set(0);
        received.set(0);
        first.set(0);
        last.set(0);
        current[0] = id;
        // 1 s head start so the run measures streaming, not the connect; then idle so the wrapper
        // stays up.
        Wrapper w =
            Wrapper.launch(
                Wrapper.Variant.SHIPPED,
                backend,
                id,
                "sh",
                "-c",
                "sleep 1; yes 'onsembl benchmark output line, flat out, ninety-nine characters long.......................' "
                    + "| head -c "
                    + bytes
                    + "; sleep 600");
        long self = ProcessHandle.current().pid();
        long[] cpu0 = {
          Procs.cpuTicks(w.process.pid()), Procs.cpuTicks(backend.pid()), Procs.cpuTicks(self)
        };
        long wall0 = System.nanoTime();
        try {
          long giveUp = System.nanoTime() + Duration.ofSeconds(shipped ? 20 : 120).toNanos();
          while (received.get() < bytes && System.nanoTime() < giveUp && w.process.isAlive()) {
            Procs.sleep(Duration.ofMillis(20));
          }
          if (received.get() < bytes) {
            Results.note(
                "4",
                (shipped ? "shipped backend" : "raised rate limit")
                    + ", output run "
                    + i
                    + ": "
                    + received.get()
                    + " of "
                    + bytes
                    + " bytes arrived in the time allowed");
          }
          if (drops.get() > 0) {
            Results.note(
                "4",
                (shipped ? "shipped backend" : "raised rate limit")
                    + ", output run "
                    + i
                    + ": the backend disconnected the agent "
                    + drops.get()
                    + " time(s) (rate limit, close 4429)");
          }
          double wall = (System.nanoTime() - wall0) / 1e9;
          Results.note(
              "4",
              String.format(
                  "%s, output run %d: CPU over %.1f s wall: wrapper %.1f s, backend %.1f s, "
                      + "bench JVM (dashboard) %.1f s",
                  shipped ? "shipped backend" : "raised rate limit",
                  i,
                  wall,
                  (Procs.cpuTicks(w.process.pid()) - cpu0[0]) / 100.0,
                  (Procs.cpuTicks(backend.pid()) - cpu0[1]) / 100.0,
                  (Procs.cpuTicks(self) - cpu0[2]) / 100.0));
          double seconds = (last.get() - first.get()) / 1e9;
          if (seconds > 0) {
            mbps.add(received.get() / 1e6 / seconds);
          }
        } finally {
          w.reap();
        }
      }
      String backendText =
          shipped
              ? "packaged backend, shipped rate limits (terminal output 4,000 frames/s since 5154e0e)"
              : "backend with the per-agent rate limit raised to "
                  + RAISED_AGENT_RATE
                  + " frames/s (BenchBackend)";
      Results.row(
          "4",
          "Terminal output MB/s, child writing flat out → TERMINAL_STREAM on a dashboard; "
              + backendText,
          Goal.minAtLeast(50, "MB/s"),
          mbps,
          "MB/s",
          "child `yes <99-char line> | head -c "
              + bytes
              + "` ("
              + (bytes >> 20)
              + " MiB), bytes of `content` over first-to-last chunk arrival; MB = 10^6 bytes");
    }
  }
}
