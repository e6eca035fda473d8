package ai.onsembl.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Goal 5: per agent count, a backend process pinned to one core and a {@link ScaleGenerator}
 * process pinned to the other; two generator runs per count (one ends with a clean close of every
 * agent, one with SIGKILL of the generator). Measures connect time, backend CPU/RSS and heartbeat
 * lag over a steady window, and mass disconnect → OFFLINE in the store (/metrics
 * agent_disconnected_total) and on a dashboard. Args: steadySeconds, counts... (e.g. {@code 20 1000
 * 5000 10000}).
 */
public final class ScaleBench {
  private static final String BACKEND_CPU = "0";
  private static final String GENERATOR_CPU = "1";
  private static final int IN_FLIGHT = 500;

  /**
   * The slow dashboard's reading rate: 20,000 frames (10,000 OFFLINE) take it 10 s at this rate.
   */
  private static final int SLOW_FRAMES_PER_SECOND = 2000;

  private ScaleBench() {}

  public static void main(String[] args) throws Exception {
    int steady = Integer.parseInt(args[0]);
    for (int a = 1; a < args.length; a++) {
      run(Integer.parseInt(args[a]), steady);
    }
  }

  private static void run(int n, int steadySeconds) throws Exception {
    String section = "5";
    String label = String.format("%,d agents", n);
    Stats connect = new Stats();
    Stats connect99 = new Stats();
    Stats cpu = new Stats();
    Stats rss = new Stats();
    Stats threads = new Stats();
    Stats stormBackend = new Stats();
    Stats stormGenerator = new Stats();
    LagHistogram lag = new LagHistogram();
    Map<String, Long> offlineSeen = new ConcurrentHashMap<>();
    AtomicLong lastOffline = new AtomicLong();
    Map<String, Long> slowSeen = new ConcurrentHashMap<>();
    AtomicLong slowLast = new AtomicLong();
    AtomicLong slowSnapshots = new AtomicLong();
    try (BackendProcess backend = BackendProcess.start(BACKEND_CPU);
        Dashboard dash =
            Dashboard.open(backend, e -> offline(e, offlineSeen, lastOffline, null), false);
        Dashboard slow =
            Dashboard.openSlow(
                backend,
                e -> offline(e, slowSeen, slowLast, slowSnapshots),
                SLOW_FRAMES_PER_SECOND)) {
      for (String mode : List.of("clean", "kill")) {
        String prefix = "s" + n + mode.charAt(0) + "-";
        long stormTicks0 = Procs.cpuTicks(backend.pid());
        long stormWall0 = System.nanoTime();
        Process gen = startGenerator(backend, n, prefix);
        BufferedReader out =
            new BufferedReader(new InputStreamReader(gen.getInputStream(), StandardCharsets.UTF_8));
        try {
          String connected = readLine(out, Duration.ofSeconds(180));
          if (connected == null || !connected.startsWith("CONNECTED ")) {
            Results.note(
                section,
                label + " " + mode + ": the generator did not connect (" + connected + ")");
            continue;
          }
          String[] f = connected.split(" ");
          int ok = Integer.parseInt(f[1]);
          int failed = Integer.parseInt(f[2]);
          connect.add(Double.parseDouble(f[3]));
          if (f.length > 4) {
            connect99.add(Double.parseDouble(f[4]));
          }
          // Which side limits the connect rate: CPU of each (one core each) over the storm.
          double stormSeconds = (System.nanoTime() - stormWall0) / 1e9;
          stormBackend.add((Procs.cpuTicks(backend.pid()) - stormTicks0) / stormSeconds);
          stormGenerator.add(Procs.cpuTicks(gen.pid()) / stormSeconds);
          if (failed > 0) {
            Results.note(
                section, label + " " + mode + ": " + failed + " of " + n + " connects failed");
          }
          // Steady state: every agent heartbeats once a second.
          Procs.sleep(Duration.ofSeconds(2));
          LagHistogram before = LagHistogram.parse(backend.get("/metrics"));
          long ticks0 = Procs.cpuTicks(backend.pid());
          long w0 = System.nanoTime();
          Procs.sleep(Duration.ofSeconds(steadySeconds));
          long ticks1 = Procs.cpuTicks(backend.pid());
          long w1 = System.nanoTime();
          lag = lag.plus(LagHistogram.parse(backend.get("/metrics")).minus(before));
          cpu.add(100.0 * (ticks1 - ticks0) / 100.0 / ((w1 - w0) / 1e9));
          rss.add(Procs.rssKib(backend.pid()) / 1024.0);
          threads.add(Procs.threads(backend.pid()));

          double storeBase = backend.metricSum("agent_disconnected_total");
          long snapshotsBase = slowSnapshots.get();
          java.util.concurrent.CompletableFuture<Long> generatorGone = null;
          long t0Wall = System.currentTimeMillis();
          long t0 = System.nanoTime();
          if (mode.equals("clean")) {
            OutputStream in = gen.getOutputStream();
            in.write("close\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
          } else {
            // The generator's exit completes once the kernel has closed its sockets (do_exit
            // closes every file before the process becomes a zombie): the sender's side of the
            // floor.
            generatorGone = gen.onExit().thenApply(p -> System.nanoTime());
            gen.destroyForcibly();
          }
          long storeDone = 0;
          long dashDone = 0;
          long slowDone = 0;
          long giveUp = t0 + TimeUnit.SECONDS.toNanos(60);
          while ((storeDone == 0 || dashDone == 0 || slowDone == 0) && System.nanoTime() < giveUp) {
            if (slowDone == 0 && countPrefix(slowSeen, prefix) >= ok) {
              slowDone = slowLast.get();
            }
            if (storeDone == 0 && backend.metricSum("agent_disconnected_total") - storeBase >= ok) {
              storeDone = System.nanoTime();
            }
            if (dashDone == 0 && countPrefix(offlineSeen, prefix) >= ok) {
              dashDone = lastOffline.get();
            }
            Procs.sleep(Duration.ofMillis(20));
          }
          String how =
              mode.equals("clean")
                  ? "clean close (AGENT_DISCONNECT + close 1000 from every agent)"
                  : "generator killed with SIGKILL";
          Stats store = new Stats();
          Stats board = new Stats();
          if (storeDone != 0) {
            store.add((storeDone - t0) / 1e9);
          }
          if (dashDone != 0) {
            board.add((dashDone - t0) / 1e9);
          }
          Results.row(
              section,
              label + ": mass disconnect, " + how + " → all OFFLINE in the store",
              Goal.p99AtMost(2, "s"),
              store,
              "s",
              "from the close command / SIGKILL to /metrics "
                  + "agent_disconnected_total having grown by "
                  + ok
                  + " (counted after the store transaction; polled "
                  + "every 20 ms)"
                  + (storeDone == 0 ? "; not reached in 60 s" : ""));
          Results.row(
              section,
              label + ": mass disconnect, " + how + " → all OFFLINE on a dashboard",
              Goal.p99AtMost(2, "s"),
              board,
              "s",
              "to the last of "
                  + ok
                  + " AGENT_STATUS OFFLINE on one dashboard"
                  + (dashDone == 0
                      ? "; not reached in 60 s (seen " + countPrefix(offlineSeen, prefix) + ")"
                      : ""));
          if (dash.closedWith() != null) {
            Results.note(
                section, label + ": the backend closed the bench dashboard: " + dash.closedWith());
          }
          // The floor: when Java-WebSocket delivered the last onClose (the backend's wall clock,
          // same host).
          if (generatorGone != null) {
            // Waited on the dependent future itself: a fresh onExit() could complete before the
            // time was taken.
            Stats gone = new Stats();
            gone.add((generatorGone.get(60, TimeUnit.SECONDS) - t0) / 1e9);
            Results.row(
                section,
                label + ": mass disconnect, " + how + " → generator process gone",
                Goal.none(),
                gone,
                "s",
                "SIGKILL to the generator's exit as its parent sees it: the kernel has closed all "
                    + ok
                    + " of its sockets by then (FINs sent); the rest of the floor is the backend's side");
          }
          double lastClose = backend.metricSum("agent_last_close_timestamp_seconds");
          Stats closeFloor = new Stats();
          Stats boardAfter = new Stats();
          if (lastClose > 0) {
            closeFloor.add(lastClose - t0Wall / 1e3);
            if (dashDone != 0) {
              double dashWall = t0Wall / 1e3 + (dashDone - t0) / 1e9;
              boardAfter.add(Math.max(0, dashWall - lastClose) * 1e3);
            }
          }
          Results.row(
              section,
              label + ": mass disconnect, " + how + " → last onClose (floor)",
              Goal.none(),
              closeFloor,
              "s",
              "to the backend's agent_last_close_timestamp_seconds: Java-WebSocket's one selector "
                  + "thread delivering the last of the "
                  + ok
                  + " closes");
          Results.row(
              section,
              label + ": mass disconnect, " + how + " → dashboard after the last onClose",
              Goal.p99AtMost(200, "ms"),
              boardAfter,
              "ms",
              "last AGENT_STATUS OFFLINE on the dashboard minus the "
                  + "last onClose (bench and backend clocks are the same host's)");
          Stats slowBoard = new Stats();
          if (slowDone != 0) {
            slowBoard.add((slowDone - t0) / 1e9);
          }
          Results.row(
              section,
              label
                  + ": mass disconnect, "
                  + how
                  + " → all OFFLINE on a slow dashboard ("
                  + SLOW_FRAMES_PER_SECOND
                  + " frames/s)",
              Goal.none(),
              slowBoard,
              "s",
              "AGENT_STATUS OFFLINE or a fresh "
                  + "DASHBOARD_CONNECTED snapshot; "
                  + (slow.closedWith() == null ? "kept" : "closed: " + slow.closedWith())
                  + ", "
                  + (slowSnapshots.get() - snapshotsBase)
                  + " resync snapshot(s)"
                  + (slowDone == 0
                      ? "; not reached in 60 s (seen " + countPrefix(slowSeen, prefix) + ")"
                      : ""));
          Results.note(
              section,
              label
                  + " "
                  + mode
                  + ": fast dashboard "
                  + (dash.closedWith() == null ? "kept" : "dropped (" + dash.closedWith() + ")")
                  + ", slow dashboard "
                  + (slow.closedWith() == null ? "kept" : "dropped (" + slow.closedWith() + ")"));
        } finally {
          Procs.stop(gen, Duration.ofSeconds(30));
        }
      }
    }
    Results.row(
        section,
        label + ": time to connect all",
        Goal.p99AtMost(10, "s"),
        scaled(connect, 1e-3),
        "s",
        "generator start to the last AGENT_CONNECT ACK, "
            + IN_FLIGHT
            + " connects in flight, one "
            + "NIO selector thread; one sample per generator run");
    Results.row(
        section,
        label + ": time to connect 99 %",
        Goal.none(),
        scaled(connect99, 1e-3),
        "s",
        "as above, to the ACK that made 99 % of the agents connected: the storm's pace without its"
            + " slowest 1 % (the generator logs its slowest agent and where its time went)");
    Results.row(
        section,
        label + ": CPU during the connect storm, backend",
        Goal.none(),
        stormBackend,
        "% of one core",
        "utime+stime over generator start → all ACKed (each process has a core of its own)");
    Results.row(
        section,
        label + ": CPU during the connect storm, generator",
        Goal.none(),
        stormGenerator,
        "% of one core",
        "as above, for the generator JVM (includes its own JVM startup)");
    Results.row(
        section,
        label + ": backend CPU while heartbeating",
        Goal.none(),
        cpu,
        "% of one core",
        "utime+stime of the backend process over a " + steadySeconds + " s steady window per run");
    Results.row(
        section,
        label + ": backend VmRSS",
        Goal.none(),
        rss,
        "MiB",
        "end of each steady window; " + "threads " + Goal.fmt(threads.median()));
    Goal lagGoal = n >= 10_000 ? Goal.p99AtMost(50, "ms") : Goal.none();
    Results.row(
        section,
        label + ": heartbeat-processing lag",
        lagGoal,
        lag.quantileMs(0.5),
        lag.quantileMs(0.99),
        (long) lag.count(),
        "ms",
        "backend histogram agent_heartbeat_lag_seconds (envelope timestamp → processed), "
            + "steady windows of both runs pooled, quantiles interpolated in buckets; runs = heartbeats");
  }

  /** Records agents seen OFFLINE in a status frame or in a (resync) snapshot. */
  private static void offline(
      Dashboard.Event e, Map<String, Long> seen, AtomicLong last, AtomicLong snapshots) {
    if (e.type().equals("AGENT_STATUS") && "OFFLINE".equals(e.status()) && e.agentId() != null) {
      seen.put(e.agentId(), e.nanos());
      last.set(e.nanos());
    } else if (e.type().equals("DASHBOARD_CONNECTED")) {
      if (snapshots != null) {
        snapshots.incrementAndGet();
      }
      for (var a : e.payload().path("agents")) {
        if ("OFFLINE".equalsIgnoreCase(a.path("status").asText()) && a.hasNonNull("agentId")) {
          seen.putIfAbsent(a.path("agentId").asText(), e.nanos());
          last.set(e.nanos());
        }
      }
    }
  }

  private static Stats scaled(Stats s, double factor) {
    Stats out = new Stats();
    for (double v : s.values()) {
      out.add(v * factor);
    }
    return out;
  }

  private static long countPrefix(Map<String, Long> seen, String prefix) {
    return seen.keySet().stream().filter(k -> k.startsWith(prefix)).count();
  }

  private static Process startGenerator(BackendProcess backend, int n, String prefix)
      throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "taskset",
                "-c",
                GENERATOR_CPU,
                java,
                "-Xmx512m",
                "-Xss512k",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                ScaleGenerator.class.getName(),
                backend.wsUrl,
                BackendProcess.AGENT_TOKEN,
                Integer.toString(n),
                Integer.toString(IN_FLIGHT),
                "600",
                prefix));
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  private static String readLine(BufferedReader r, Duration timeout) throws Exception {
    CompletableFuture<String> f =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return r.readLine();
              } catch (IOException e) {
                return null;
              }
            });
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      return null;
    }
  }
}
