package ai.onsembl.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The load generator of {@link ScaleBench}, a process of its own so it can be killed with SIGKILL:
 * N simulated agents on one JDK {@link HttpClient} (one selector thread, no thread per socket),
 * connected with a bounded number in flight, each heartbeating every second (spread evenly over the
 * second). Prints {@code CONNECTED <ok> <failed> <ms>}; on stdin {@code close} closes all cleanly,
 * prints {@code CLOSED} and exits. Exits by itself after its lifetime. Args: wsUrl, token, n,
 * inFlight, lifetimeSeconds, idPrefix.
 */
public final class ScaleGenerator {
  private ScaleGenerator() {}

  public static void main(String[] args) throws Exception {
    String ws = args[0];
    String token = args[1];
    int n = Integer.parseInt(args[2]);
    int inFlight = Integer.parseInt(args[3]);
    long lifetime = Long.parseLong(args[4]);
    String prefix = args[5];
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "generator-timer");
              t.setDaemon(true);
              return t;
            });
    // Stops by itself whatever happens to the bench that started it.
    timer.schedule(() -> Runtime.getRuntime().halt(3), lifetime, TimeUnit.SECONDS);
    HttpClient client = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(2)).build();

    SimAgent[] agents = new SimAgent[n];
    Semaphore window = new Semaphore(inFlight);
    AtomicInteger failed = new AtomicInteger();
    List<CompletableFuture<?>> all = new ArrayList<>(n);
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      window.acquire();
      int index = i;
      String id = prefix + i;
      all.add(
          SimAgent.connect(
                  client, URI.create(ws + "/ws/agent?agentId=" + id + "&token=" + token), id, token)
              .whenComplete(
                  (a, err) -> {
                    window.release();
                    if (err != null) {
                      if (failed.incrementAndGet() <= 5) {
                        System.err.println("connect " + id + " failed: " + err);
                      }
                    } else {
                      agents[index] = a;
                    }
                  }));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).handle((x, e) -> null).get();
    long connectMs = (System.nanoTime() - t0) / 1_000_000;
    System.out.println("CONNECTED " + (n - failed.get()) + " " + failed.get() + " " + connectMs);
    System.out.flush();

    // 100 slots per second: slot k sends the heartbeats of agents k, k+100, k+200, ...
    int slots = 100;
    AtomicInteger slot = new AtomicInteger();
    java.util.concurrent.atomic.AtomicBoolean closing =
        new java.util.concurrent.atomic.AtomicBoolean();
    timer.scheduleAtFixedRate(
        () -> {
          if (closing.get()) {
            return;
          }
          int k = slot.getAndIncrement() % slots;
          for (int i = k; i < n; i += slots) {
            SimAgent a = agents[i];
            if (a != null) {
              a.heartbeat();
            }
          }
        },
        10,
        10,
        TimeUnit.MILLISECONDS);

    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      if (line.trim().equals("close")) {
        closing.set(true);
        List<CompletableFuture<?>> closes = new ArrayList<>(n);
        for (SimAgent a : agents) {
          if (a != null) {
            closes.add(a.closeCleanly());
          }
        }
        CompletableFuture.allOf(closes.toArray(CompletableFuture[]::new))
            .handle((x, e) -> null)
            .get(60, TimeUnit.SECONDS);
        System.out.println("CLOSED");
        System.out.flush();
        break;
      }
    }
    // Give the close handshakes a moment to finish before the sockets go away with the JVM.
    Thread.sleep(2000);
    Runtime.getRuntime().halt(0);
  }
}
