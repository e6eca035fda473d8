package ai.onsembl.wrapper.internal.link;

import java.time.Duration;
import java.util.Random;

/**
 * Full-jitter exponential backoff (AWS architecture blog): attempt n waits a uniform random time in
 * {@code [0, min(cap, base·2^n)]}. Not thread-safe; the link uses it from its own executor only.
 */
public final class Backoff {
  private final long baseMillis;
  private final long capMillis;
  private final Random random;
  private int attempt;

  public Backoff(Duration base, Duration cap, Random random) {
    this.baseMillis = Math.max(1, base.toMillis());
    this.capMillis = Math.max(baseMillis, cap.toMillis());
    this.random = random;
  }

  /** The ceiling of the next delay, without drawing it. */
  public long ceilingMillis() {
    long ceiling = baseMillis;
    for (int i = 0; i < attempt && ceiling < capMillis; i++) {
      ceiling *= 2;
    }
    return Math.min(capMillis, ceiling);
  }

  /** The delay before the next attempt; advances the attempt count. */
  public Duration next() {
    long ceiling = ceilingMillis();
    attempt++;
    return Duration.ofMillis(Math.min(ceiling, (long) (random.nextDouble() * (ceiling + 1))));
  }

  /** Attempts made since the last reset. */
  public int attempts() {
    return attempt;
  }

  /** Back to the base delay: called once a connection has held long enough. */
  public void reset() {
    attempt = 0;
  }
}
