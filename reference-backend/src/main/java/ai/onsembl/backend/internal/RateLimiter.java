package ai.onsembl.backend.internal;

/**
 * Token bucket: {@code perSecond} tokens a second, at most {@code burst} saved up, so a peer can
 * send {@code burst} frames at once and no more than {@code perSecond} a second on average after
 * that.
 */
public final class RateLimiter {
  private final double perNano;
  private final double capacity;
  private double tokens;
  private long last;

  public RateLimiter(int perSecond) {
    this(perSecond, perSecond);
  }

  public RateLimiter(int perSecond, int burst) {
    this.capacity = Math.max(perSecond, burst);
    this.perNano = perSecond / 1e9;
    this.tokens = capacity;
    this.last = System.nanoTime();
  }

  /** Takes one token; false when the peer is over its rate. */
  public synchronized boolean tryAcquire() {
    long now = System.nanoTime();
    tokens = Math.min(capacity, tokens + (now - last) * perNano);
    last = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
