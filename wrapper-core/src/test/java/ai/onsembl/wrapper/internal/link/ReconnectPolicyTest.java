package ai.onsembl.wrapper.internal.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ReconnectPolicyTest {
  private static final long SECOND = 1_000_000_000L;

  private static ReconnectPolicy policy(Duration giveUp) {
    return new ReconnectPolicy(
        new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), new Random(5)),
        Duration.ofSeconds(10),
        giveUp);
  }

  @Test
  void backoffStartsAgainOnlyAfterAConnectionHeldTenSeconds() {
    ReconnectPolicy p = policy(null);
    p.started(0);
    for (int i = 0; i < 4; i++) {
      p.nextDelayMillis(0);
    }
    assertThat(p.nextAttempt()).isEqualTo(5);
    p.connected(100 * SECOND);
    p.lost(105 * SECOND); // held 5 s: keep growing
    assertThat(p.nextAttempt()).isEqualTo(5);
    p.connected(200 * SECOND);
    p.lost(210 * SECOND); // held 10 s: from the base again
    assertThat(p.nextAttempt()).isEqualTo(1);
    assertThat(p.nextDelayMillis(210 * SECOND)).isBetween(0L, 1000L);
  }

  @Test
  void giveUpCountsFromTheDropAndNeverWaitsPastTheDeadline() {
    ReconnectPolicy p = policy(Duration.ofSeconds(3));
    p.started(0);
    for (int i = 0; i < 6; i++) {
      p.nextDelayMillis(0); // ceilings grow to 30 s
    }
    assertThat(p.nextDelayMillis(2500L * 1_000_000)).isBetween(0L, 500L);
    assertThat(p.nextDelayMillis(3 * SECOND)).isEqualTo(ReconnectPolicy.GIVE_UP);
    p.connected(10 * SECOND);
    p.lost(20 * SECOND);
    assertThat(p.nextDelayMillis(21 * SECOND)).isNotEqualTo(ReconnectPolicy.GIVE_UP);
    assertThat(p.downMillis(21 * SECOND)).isEqualTo(1000);
  }
}
