package ai.onsembl.bench;

import java.time.Instant;

/**
 * The child of {@link LineLatencyBench}: writes {@code tick <epoch µs>} every period, then idles so
 * the wrapper stays up. Args: lines, period ms.
 */
public final class TickWriter {
  private TickWriter() {}

  public static void main(String[] args) throws InterruptedException {
    int lines = Integer.parseInt(args[0]);
    long periodNanos = Long.parseLong(args[1]) * 1_000_000L;
    long next = System.nanoTime();
    for (int i = 0; i < lines; i++) {
      Instant now = Instant.now();
      System.out.println("tick " + (now.getEpochSecond() * 1_000_000L + now.getNano() / 1000));
      System.out.flush();
      next += periodNanos;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
      }
    }
    Thread.sleep(600_000);
  }
}
