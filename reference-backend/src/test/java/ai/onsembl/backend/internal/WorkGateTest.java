package ai.onsembl.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class WorkGateTest {
  /** A worker that only runs what the test tells it to. */
  private final List<Runnable> queued = new ArrayList<>();

  private synchronized void queue(Runnable r) {
    queued.add(r);
  }

  private synchronized void runAll() {
    queued.forEach(Runnable::run);
    queued.clear();
  }

  @Test
  void aFrameThatDoesNotFitWaitsUntilTheWorkerHasRunEnough() throws Exception {
    WorkGate gate = new WorkGate(this::queue, 100, () -> false);
    AtomicInteger ran = new AtomicInteger();
    gate.run(60, ran::incrementAndGet);
    gate.run(40, ran::incrementAndGet);
    assertThat(gate.queuedBytes()).isEqualTo(100);
    CompletableFuture<Void> third =
        CompletableFuture.runAsync(() -> gate.run(10, ran::incrementAndGet));
    await().atMost(Duration.ofSeconds(5)).until(() -> gate.waits() == 1);
    // no room: the reading thread waits
    await()
        .during(Duration.ofMillis(150))
        .atMost(Duration.ofSeconds(5))
        .until(() -> !third.isDone());
    runAll();
    third.get(5, TimeUnit.SECONDS);
    assertThat(gate.waits()).isEqualTo(1);
    runAll();
    assertThat(ran).hasValue(3);
    assertThat(gate.queuedBytes()).isZero();
  }

  @Test
  void aFrameLargerThanTheLimitCountsAsTheWholeLimit() {
    WorkGate gate = new WorkGate(this::queue, 100, () -> false);
    gate.run(5_000, () -> {});
    assertThat(gate.queuedBytes()).isEqualTo(100);
    runAll();
    assertThat(gate.queuedBytes()).isZero();
  }

  @Test
  void aWaitingThreadGivesUpWhenTheBackendStopsAndATaskThatFailsStillFreesItsRoom()
      throws Exception {
    AtomicBoolean stopped = new AtomicBoolean();
    WorkGate gate = new WorkGate(this::queue, 10, stopped::get);
    gate.run(
        10,
        () -> {
          throw new IllegalStateException("task failed");
        });
    CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> gate.run(1, () -> {}));
    await().atMost(Duration.ofSeconds(5)).until(() -> gate.waits() == 1);
    await()
        .during(Duration.ofMillis(150))
        .atMost(Duration.ofSeconds(5))
        .until(() -> !waiting.isDone());
    stopped.set(true);
    waiting.get(5, TimeUnit.SECONDS);
    assertThatThrownBy(this::runAll).hasMessage("task failed");
    assertThat(gate.queuedBytes()).as("room freed although the task threw").isZero();
    assertThatThrownBy(() -> new WorkGate(this::queue, 0, () -> false))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
