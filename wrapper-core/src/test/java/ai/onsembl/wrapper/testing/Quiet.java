package ai.onsembl.wrapper.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Assertions that something does NOT happen: the one place where a test waits out a fixed window.
 */
public final class Quiet {
  private Quiet() {}

  /**
   * Fails as soon as {@code arrived} turns true at any poll during {@code window} (polled every 20
   * ms), naming {@code reason}; passes when it stayed false for the whole window. Use it for "the
   * link sends no more heartbeats", "no reconnect after a refusal": a wait for the event itself is
   * impossible there.
   */
  public static void assertNothingArrivesWithin(
      Duration window, String reason, BooleanSupplier arrived) {
    long deadline = System.nanoTime() + window.toNanos();
    try {
      await(reason)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(20))
          .atMost(
              window.plusSeconds(
                  30)) // the window decides, not atMost; only a stuck poll reaches it
          .until(() -> arrived.getAsBoolean() || System.nanoTime() - deadline >= 0);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("could not watch for " + window.toMillis() + " ms: " + reason, e);
    }
    if (arrived.getAsBoolean()) {
      throw new AssertionError(
          "expected nothing within " + window.toMillis() + " ms, but it arrived: " + reason);
    }
  }
}
