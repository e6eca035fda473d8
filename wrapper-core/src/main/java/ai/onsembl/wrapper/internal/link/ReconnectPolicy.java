package ai.onsembl.wrapper.internal.link;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * When to try again: full-jitter backoff that starts again from its base only after a connection
 * held {@code heldBeforeReset}, and the give-up deadline measured from the moment the link went
 * down (or from the start, while it never connected). Times are {@link System#nanoTime()} values.
 * Not thread-safe: the link uses it from its own thread.
 */
final class ReconnectPolicy {
  /** Give up when {@link #nextDelayMillis} returns this. */
  static final long GIVE_UP = -1;

  private final Backoff backoff;
  private final long heldBeforeResetNanos;
  private final Duration giveUpAfter;
  private long connectedAtNanos;
  private long downSinceNanos;

  ReconnectPolicy(Backoff backoff, Duration heldBeforeReset, Duration giveUpAfter) {
    this.backoff = backoff;
    this.heldBeforeResetNanos = heldBeforeReset.toNanos();
    this.giveUpAfter = giveUpAfter;
  }

  void started(long now) {
    downSinceNanos = now;
  }

  void connected(long now) {
    connectedAtNanos = now;
  }

  /** An acknowledged connection dropped at {@code now}. */
  void lost(long now) {
    if (now - connectedAtNanos >= heldBeforeResetNanos) {
      backoff.reset();
    }
    downSinceNanos = now;
  }

  /**
   * Milliseconds to wait before the next attempt, never past the give-up deadline; or {@link
   * #GIVE_UP}.
   */
  long nextDelayMillis(long now) {
    long delay = backoff.next().toMillis();
    if (giveUpAfter == null) {
      return delay;
    }
    long down = downMillis(now);
    if (down >= giveUpAfter.toMillis()) {
      return GIVE_UP;
    }
    return Math.min(delay, giveUpAfter.toMillis() - down);
  }

  long downMillis(long now) {
    return TimeUnit.NANOSECONDS.toMillis(now - downSinceNanos);
  }

  /** The number of the next attempt (1 is the first connect). */
  int nextAttempt() {
    return backoff.attempts() + 1;
  }

  Duration giveUpAfter() {
    return giveUpAfter;
  }
}
