package ai.onsembl.wrapper.internal.shutdown;

import ai.onsembl.wrapper.internal.Log;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The one way out. Every trigger (a signal, AGENT_CONTROL STOP, the child exiting, {@code onsembl-agent
 * stop}, a fatal link error, the JVM shutdown hook) calls {@link #begin}; the first wins and the steps run
 * once, on their own thread:
 * <ol>
 *   <li>SIGTERM the child's tree (grace, then SIGKILL) — in parallel with the next steps;
 *   <li>cancel running commands (COMMAND_COMPLETE CANCELLED go out before the goodbye);
 *   <li>AGENT_DISCONNECT, flush, close 1000 — bounded by the flush timeout;
 *   <li>wait for the child's tree to be gone; done.
 * </ol>
 * A hard deadline ({@code shutdownTimeout}) ends it with 124 whatever happens. Signals escalate: the second
 * kills the tree, says goodbye best-effort and exits within a second; the third halts at once.
 */
public final class ShutdownCoordinator {
  /** Why the wrapper stops and with which exit code. */
  public record Trigger(String reason, int exitCode) {}

  /** The work the coordinator orders; implemented by the wrapper. */
  public interface Steps {
    void stateStopping();

    void cancelCommands(String reason);

    void goodbye(Trigger trigger);

    /** TERM, grace, KILL, reap. */
    void stopChild();

    /** The second signal: SIGKILL the tree now and send AGENT_DISCONNECT best-effort. */
    void killNow(Trigger trigger);

    /** Last step: SIGKILL whatever the wrapper started that still runs. */
    void finalSweep();

    /**
     * The third signal, just before the halt: SIGKILL everything the wrapper started without waiting for
     * anything (a halt runs no hook, so this is the last chance to leave nothing running).
     */
    default void killEverythingNow() {}
  }

  private final Steps steps;
  private final Duration shutdownTimeout;
  private final IntConsumer halt;
  private final Log log;
  private final AtomicBoolean begun = new AtomicBoolean();
  private final AtomicInteger signals = new AtomicInteger();
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();
  private volatile Trigger trigger;

  /**
   * @param halt ends the process with a code ({@code Runtime::halt} when the wrapper owns the process;
   *     in-process tests record it instead). Called only on escalation and past the deadline.
   */
  public ShutdownCoordinator(Steps steps, Duration shutdownTimeout, IntConsumer halt, Log log) {
    this.steps = steps;
    this.shutdownTimeout = shutdownTimeout;
    this.halt = halt;
    this.log = log;
  }

  /** Starts the shutdown unless it has begun already; true when this call started it. */
  public boolean begin(Trigger t) {
    if (!begun.compareAndSet(false, true)) {
      return false;
    }
    trigger = t;
    log.info("stopping: " + t.reason() + " (exit code " + t.exitCode() + ")");
    Thread deadline = new Thread(() -> {
      try {
        exit.get(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        log.error("shutdown did not finish within " + shutdownTimeout.toMillis() + " ms; halting with 124", null);
        steps.killNow(t);
        finish(124);
        halt.accept(124);
      } catch (Exception e) {
        // finished
      }
    }, "onsembl-shutdown-deadline");
    deadline.setDaemon(true);
    deadline.start();
    Thread runner = new Thread(() -> run(t), "onsembl-shutdown");
    runner.setDaemon(false);
    runner.start();
    return true;
  }

  private void run(Trigger t) {
    try {
      steps.stateStopping();
      CompletableFuture<Void> child = CompletableFuture.runAsync(steps::stopChild, r -> {
        Thread th = new Thread(r, "onsembl-child-stop");
        th.setDaemon(true);
        th.start();
      });
      steps.cancelCommands(t.reason());
      steps.goodbye(t);
      child.join();
      steps.finalSweep();
    } catch (RuntimeException e) {
      log.error("error while stopping", e);
    } finally {
      finish(t.exitCode());
    }
  }

  private void finish(int code) {
    exit.complete(code);
  }

  /**
   * A signal arrived: the first begins the shutdown with {@code first}; the second kills the tree, says
   * goodbye best-effort and exits within a second; the third halts at once.
   */
  public void onSignal(String name, Trigger first) {
    int n = signals.incrementAndGet();
    if (n == 1) {
      if (!begin(first)) {
        // already stopping for another reason: this signal counts as the first escalation step
        n = signals.incrementAndGet();
      } else {
        return;
      }
    }
    Trigger t = trigger == null ? first : trigger;
    if (n == 2) {
      log.warn("second signal (SIG" + name + "): killing the agent's process tree now");
      Thread th = new Thread(() -> {
        try {
          steps.killNow(t);
        } finally {
          finish(t.exitCode());
          halt.accept(t.exitCode());
        }
      }, "onsembl-escalation");
      th.setDaemon(true);
      th.start();
    } else {
      log.warn("third signal (SIG" + name + "): killing everything the wrapper started and halting now");
      try {
        steps.killEverythingNow();
      } catch (RuntimeException e) {
        log.error("could not kill every process before halting", e);
      }
      finish(t.exitCode());
      halt.accept(t.exitCode());
    }
  }

  public boolean hasBegun() {
    return begun.get();
  }

  /** Blocks until the shutdown is over; its exit code. */
  public int awaitExit() {
    return exit.join();
  }

  /** Waits at most {@code max}; null when not over yet. */
  public Integer awaitExit(Duration max) {
    try {
      return exit.get(max.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      return null;
    }
  }

  public Trigger trigger() {
    return trigger;
  }
}
