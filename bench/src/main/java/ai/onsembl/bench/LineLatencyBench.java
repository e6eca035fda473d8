package ai.onsembl.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Goal 4b: a child writes {@code tick <epoch µs>} every 10 ms ({@link TickWriter}); latency =
 * arrival of that line in a TERMINAL_STREAM on a dashboard − the stamp (one host, one wall clock).
 * Args: lines.
 */
public final class LineLatencyBench {
  private LineLatencyBench() {}

  public static void main(String[] args) throws Exception {
    int lines = Integer.parseInt(args[0]);
    Stats latency = new Stats();
    String id = "lines-0";
    try (BackendProcess backend = BackendProcess.start(null);
        Dashboard dash =
            Dashboard.open(
                backend,
                e -> {
                  if (e.type().equals("TERMINAL_STREAM") && id.equals(e.agentId())) {
                    Instant now = Instant.now();
                    long nowMicros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
                    for (String line : e.payload().path("content").asText("").split("\n")) {
                      if (line.startsWith("tick ")) {
                        latency.add(
                            (nowMicros - Long.parseLong(line.substring(5).trim())) / 1000.0);
                      }
                    }
                  }
                },
                false)) {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Wrapper w =
          Wrapper.launch(
              Wrapper.Variant.SHIPPED,
              backend,
              id,
              java,
              "-XX:TieredStopAtLevel=1",
              "-XX:+UseSerialGC",
              "-cp",
              System.getProperty("java.class.path"),
              TickWriter.class.getName(),
              Integer.toString(lines),
              "10");
      try {
        long giveUp = System.nanoTime() + Duration.ofSeconds(30 + lines / 50).toNanos();
        while (latency.count() < lines && System.nanoTime() < giveUp && w.process.isAlive()) {
          Procs.sleep(Duration.ofMillis(50));
        }
      } finally {
        w.reap();
      }
      if (latency.count() < lines) {
        Results.note("4", "line latency: " + latency.count() + " of " + lines + " lines arrived");
      }
      Results.row(
          "4",
          "Latency of a line written every 10 ms → TERMINAL_STREAM on a dashboard",
          Goal.p99AtMost(50, "ms"),
          latency,
          "ms",
          "child JVM prints `tick <epoch µs>` every 10 ms ("
              + lines
              + " lines); dashboard arrival − stamp, one wall clock");
    }
  }
}
