package ai.onsembl.wrapper.internal.shutdown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.wrapper.internal.Log;
import ai.onsembl.wrapper.internal.shutdown.ShutdownCoordinator.Cause;
import ai.onsembl.wrapper.internal.shutdown.ShutdownCoordinator.Trigger;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The coordinator with recording steps: escalation counts signals only, and every halt path halts.
 */
@Timeout(30)
class ShutdownCoordinatorTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final List<Integer> halts = new CopyOnWriteArrayList<>();

  /** Released at the end of each test: steps that block wait on it. */
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void releaseSteps() {
    release.countDown();
  }

  /**
   * Records every step; {@code blockIn} names a step that blocks until the test ends, {@code
   * throwIn} one that throws.
   */
  private class Steps implements ShutdownCoordinator.Steps {
    private final String blockIn;
    private final String throwIn;

    Steps(String blockIn, String throwIn) {
      this.blockIn = blockIn;
      this.throwIn = throwIn;
    }

    private void step(String name) {
      calls.add(name);
      if (name.equals(throwIn)) {
        throw new IllegalStateException("step " + name + " failed");
      }
      if (name.equals(blockIn)) {
        try {
          release.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    @Override
    public void signalAgent() {
      step("signalAgent");
    }

    @Override
    public void stateStopping() {
      step("stateStopping");
    }

    @Override
    public void stopChild() {
      step("stopChild");
    }

    @Override
    public void cancelCommands(String reason) {
      step("cancelCommands");
    }

    @Override
    public boolean awaitAgentOutput(long deadlineNanos) {
      step("awaitAgentOutput");
      return true;
    }

    @Override
    public void flushOutput() {
      step("flushOutput");
    }

    @Override
    public void goodbye(Trigger trigger) {
      step("goodbye");
    }

    @Override
    public void killNow(Trigger trigger) {
      step("killNow");
    }

    @Override
    public void finalSweep() {
      step("finalSweep");
    }

    @Override
    public void killEverythingNow() {
      step("killEverythingNow");
    }

    @Override
    public void removeRunFile() {
      step("removeRunFile");
    }
  }

  private ShutdownCoordinator coordinator(Steps steps, Duration shutdownTimeout) {
    return new ShutdownCoordinator(
        steps,
        shutdownTimeout,
        Duration.ofSeconds(2),
        halts::add,
        new Log(ShutdownCoordinatorTest.class, () -> "test"));
  }

  @Test
  void theAgentsLastOutputIsAwaitedAndFlushedBeforeCommandsAndTheGoodbye() {
    ShutdownCoordinator c = coordinator(new Steps("", ""), Duration.ofSeconds(10));
    c.begin(new Trigger("Agent process exited with code 3", 3, Cause.AGENT_EXIT));
    assertThat(c.awaitExit(WAIT)).isEqualTo(3);
    // The child's stop (the state first) runs on a thread of its own, beside the goodbye's path.
    assertThat(calls).containsSubsequence("stateStopping", "stopChild");
    List<String> order =
        calls.stream().filter(s -> !s.equals("stopChild") && !s.equals("stateStopping")).toList();
    assertThat(order)
        .containsExactly(
            "awaitAgentOutput", "flushOutput", "cancelCommands", "goodbye", "finalSweep");
    assertThat(halts).isEmpty();
  }

  @Test
  void aStopSignalsTheAgentFirstOnTheCallingThreadAndAnExitDoesNot() {
    ShutdownCoordinator c = coordinator(new Steps("", ""), Duration.ofSeconds(10));
    c.onSignal("TERM", new Trigger("Graceful shutdown (SIGTERM)", 143));
    assertThat(calls).as("before onSignal returned").first().isEqualTo("signalAgent");
    assertThat(c.awaitExit(WAIT)).isEqualTo(143);
    assertThat(
            calls.stream()
                .filter(s -> !s.equals("stopChild") && !s.equals("stateStopping"))
                .toList())
        .startsWith("signalAgent")
        .containsSubsequence("flushOutput", "goodbye", "finalSweep");
    assertThat(calls).containsSubsequence("signalAgent", "stateStopping", "stopChild");

    calls.clear();
    ShutdownCoordinator exit = coordinator(new Steps("", ""), Duration.ofSeconds(10));
    exit.begin(new Trigger("Agent process exited with code 3", 3, Cause.AGENT_EXIT));
    assertThat(exit.awaitExit(WAIT)).isEqualTo(3);
    assertThat(calls).doesNotContain("signalAgent");
  }

  @Test
  void aSignalDuringAShutdownTheAgentsExitBeganIsTheFirstSignalNotTheSecond() {
    ShutdownCoordinator c = coordinator(new Steps("goodbye", ""), Duration.ofSeconds(20));
    c.begin(new Trigger("Agent process exited with code 3", 3, Cause.AGENT_EXIT));
    await().atMost(WAIT).until(() -> calls.contains("goodbye"));
    c.onSignal("TERM", new Trigger("Graceful shutdown (SIGTERM)", 143));
    await().pollDelay(Duration.ofMillis(300)).atMost(WAIT).until(() -> true);
    assertThat(halts).as("one signal halted the wrapper").isEmpty();
    assertThat(calls).doesNotContain("killNow");

    c.onSignal("TERM", new Trigger("Graceful shutdown (SIGTERM)", 143));
    await().atMost(WAIT).until(() -> halts.size() == 1);
    assertThat(halts).containsExactly(3);
    assertThat(calls).contains("killNow", "removeRunFile");
  }

  @Test
  void aSignalDuringAShutdownAStopBeganIsTheFirstSignalToo() {
    ShutdownCoordinator c = coordinator(new Steps("goodbye", ""), Duration.ofSeconds(20));
    c.begin(new Trigger("Stopped by AGENT_CONTROL STOP", 0));
    await().atMost(WAIT).until(() -> calls.contains("goodbye"));
    c.onSignal("INT", new Trigger("Graceful shutdown (SIGINT)", 130));
    await().pollDelay(Duration.ofMillis(300)).atMost(WAIT).until(() -> true);
    assertThat(halts).isEmpty();
  }

  @Test
  void theSecondSignalRemovesTheRunFileAndHaltsEvenWhenTheKillStepThrows() {
    ShutdownCoordinator c = coordinator(new Steps("goodbye", "killNow"), Duration.ofSeconds(20));
    c.onSignal("TERM", new Trigger("Graceful shutdown (SIGTERM)", 143));
    await().atMost(WAIT).until(() -> calls.contains("goodbye"));
    c.onSignal("TERM", new Trigger("Graceful shutdown (SIGTERM)", 143));
    await().atMost(WAIT).until(() -> halts.size() == 1);
    assertThat(halts).containsExactly(143);
    assertThat(calls).contains("removeRunFile");
  }

  @Test
  void theThirdSignalRemovesTheRunFileAndHaltsAtOnce() {
    ShutdownCoordinator c = coordinator(new Steps("killNow", ""), Duration.ofSeconds(20));
    c.onSignal("TERM", new Trigger("Graceful shutdown (SIGTERM)", 143));
    c.onSignal("TERM", new Trigger("Graceful shutdown (SIGTERM)", 143));
    await().atMost(WAIT).until(() -> calls.contains("killNow"));
    halts.clear(); // the second signal's halt comes after its steps' bound
    c.onSignal("TERM", new Trigger("Graceful shutdown (SIGTERM)", 143));
    assertThat(halts).contains(143);
    assertThat(calls).contains("killEverythingNow", "removeRunFile");
  }

  @Test
  void theDeadlineHaltsWith124WhenItsKillStepThrows() {
    ShutdownCoordinator c = coordinator(new Steps("goodbye", "killNow"), Duration.ofMillis(500));
    c.begin(new Trigger("Stopped by AGENT_CONTROL STOP", 0));
    await().atMost(WAIT).until(() -> halts.size() == 1);
    assertThat(halts).containsExactly(124);
    assertThat(calls).contains("removeRunFile");
    assertThat(c.awaitExit(WAIT)).isEqualTo(124);
  }

  @Test
  void theDeadlineHaltsWith124WhenItsKillStepBlocks() {
    // A step (or a log line to a stderr nobody reads) that never returns must not keep the wrapper
    // alive.
    ShutdownCoordinator c =
        coordinator(
            new Steps("goodbye", "") {
              @Override
              public void killNow(Trigger trigger) {
                calls.add("killNow");
                try {
                  release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            },
            Duration.ofMillis(500));
    long began = System.nanoTime();
    c.begin(new Trigger("Stopped by AGENT_CONTROL STOP", 0));
    await().atMost(WAIT).until(() -> halts.size() == 1);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
    assertThat(halts).containsExactly(124);
    assertThat(calls).contains("killNow", "removeRunFile");
    assertThat(millis)
        .as("halted after the 500 ms deadline and the 1 s bound of its steps")
        .isLessThan(5000);
  }
}
