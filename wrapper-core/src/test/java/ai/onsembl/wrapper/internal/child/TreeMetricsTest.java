package ai.onsembl.wrapper.internal.child;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class TreeMetricsTest {
  private Process root;

  @AfterEach
  void kill() throws Exception {
    if (root != null) {
      root.descendants().forEach(ProcessHandle::destroyForcibly);
      root.destroyForcibly();
      root.waitFor(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void cpuAndMemoryOfABusyGrandchildCountForTheTree() throws Exception {
    // The root only waits; all the CPU is burnt by its child, so only a tree-wide sum sees it.
    root = new ProcessBuilder("sh", "-c", "sh -c 'while :; do :; done' & wait").start();
    await().atMost(Duration.ofSeconds(10)).until(() -> root.descendants().count() >= 1);
    TreeMetrics m = new TreeMetrics(root.toHandle());
    m.sample();
    // A measuring window, not a wait for a condition: CPU% is work over wall time.
    await().pollDelay(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).until(() -> true);
    TreeMetrics.Sample s = m.sample();
    assertThat(s.processes()).isEqualTo(2);
    assertThat(s.cpuPercent())
        .as("percent of one core")
        .isGreaterThan(5.0)
        .isLessThanOrEqualTo(200.0);
    assertThat(s.rssMb()).as("RSS of two shells in MB").isGreaterThan(0.5);
  }

  @Test
  void anIdleTreeUsesAlmostNoCpu() throws Exception {
    root = new ProcessBuilder("sleep", "30").start();
    TreeMetrics m = new TreeMetrics(root.toHandle());
    m.sample();
    await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> true);
    assertThat(m.sample().cpuPercent()).isLessThan(5.0);
  }
}
