package ai.onsembl.wrapper.internal.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class BackoffTest {
  @Test
  void delaysStayWithinFullJitterBoundsDoublingFromOneSecondToThirtySecondCap() {
    Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), new Random(42));
    long[] ceilings = {1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
    for (long ceiling : ceilings) {
      assertThat(b.ceilingMillis()).isEqualTo(ceiling);
      long d = b.next().toMillis();
      assertThat(d).as("delay with ceiling %d", ceiling).isBetween(0L, ceiling);
    }
  }

  @Test
  void jitterSpreadsDelaysAcrossTheWholeRange() {
    Random r = new Random(7);
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < 2000; i++) {
      Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), r);
      for (int k = 0; k < 6; k++) {
        b.next();
      }
      long d = b.next().toMillis(); // ceiling 30 s
      min = Math.min(min, d);
      max = Math.max(max, d);
    }
    assertThat(min).isLessThan(1000);
    assertThat(max).isGreaterThan(29000).isLessThanOrEqualTo(30000);
  }

  @Test
  void resetStartsAgainFromTheBase() {
    Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), new Random(1));
    for (int i = 0; i < 5; i++) {
      b.next();
    }
    assertThat(b.ceilingMillis()).isEqualTo(30000);
    b.reset();
    assertThat(b.ceilingMillis()).isEqualTo(1000);
    assertThat(b.attempts()).isZero();
  }
}
