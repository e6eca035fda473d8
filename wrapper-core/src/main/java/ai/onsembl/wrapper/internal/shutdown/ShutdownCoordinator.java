package ai.onsembl.wrapper.internal.shutdown;

import ai.onsembl.wrapper.internal.Log;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The one way out. Every trigger (a signal, AGENT_CONTROL STOP, the child exiting, {@code
 * onsembl-agent stop}, a fatal link error, an {@link Error} on one of the wrapper's threads, the
 * JVM shutdown hook) calls {@link #begin}; the first wins and the steps run once, on their own
 * thread:
 *
 * <ol>
 *   <li>SIGTERM the agent's tree at once (grace, then SIGKILL) — in parallel with everything below,
 *       so its output keeps streaming while it stops;
 *   <li>the agent's last words: wait until the agent has exited and its stdout/stderr were read to
 *       their end, hand its exit to the command handler, flush the linger buffers. When the agent
 *       exited by itself this waits at most the flush timeout; after a signal or STOP at most
 *       {@link #GOODBYE_BOUND} after the trigger (an agent that ignores SIGTERM still goes OFFLINE
 *       promptly while its grace runs on);
 *   <li>cancel running commands (COMMAND_COMPLETE CANCELLED go out before the goodbye; after a
 *       signal this runs in parallel and within the same bound);
 *   <li>AGENT_DISCONNECT behind everything queued, close 1000 — bounded by the flush timeout;
 *   <li>wait for the agent's tree to be gone, SIGKILL whatever the wrapper started that is left;
 *       done.
 * </ol>
 *
 * A hard deadline ({@code shutdownTimeout}) ends it with 124 whatever happens: the halt is in a
 * {@code finally}, and nothing that can block (a log line to a stderr nobody reads, a stuck step)
 * runs on the deadline's thread before it. Signals escalate; only signals count: a first signal
 * during a shutdown that something else began is still the first (graceful); the second kills the
 * tree, says goodbye best-effort and halts within a second; the third halts at once. Every halt
 * removes the run file first.
 */
public final class ShutdownCoordinator {
  /** After a signal or STOP, the goodbye goes out at the latest this long after the trigger. */
  public static final Duration GOODBYE_BOUND = Duration.ofMillis(500);

  /** How long a halt waits for its best-effort steps (kill, goodbye) before it halts anyway. */
  static final Duration HALT_STEPS_MAX = Duration.ofSeconds(1);

  /** What began the shutdown: decides how long the agent's last output is waited for. */
  public enum Cause {
    /** The agent exited by itself: its output is drained for up to the flush timeout. */
    AGENT_EXIT,
    /**
     * SIGTERM, SIGINT, SIGHUP, AGENT_CONTROL STOP, {@code stop()}: goodbye within {@link
     * #GOODBYE_BOUND}.
     */
    STOP,
    /** The link gave up or a wrapper thread died: nothing is waited for. */
    FAILURE
  }

  /** Why the wrapper stops, with which exit code, and when (System.nanoTime()). */
  public record Trigger(String reason, int exitCode, Cause cause, long atNanos) {
    /** A stop (signal, STOP, {@code stop()}) beginning now. */
    public Trigger(String reason, int exitCode) {
      this(reason, exitCode, Cause.STOP, System.nanoTime());
    }

    public Trigger(String reason, int exitCode, Cause cause) {
      this(reason, exitCode, cause, System.nanoTime());
    }
  }

  /** The work the coordinator orders; implemented by {@link WrapperShutdown}. */
  public interface Steps {
    /**
     * A stop (signal, STOP) began: the agent hears SIGTERM now, on the calling thread, before the
     * log line, the run file and the shutdown's threads (each costs milliseconds, and an agent that
     * exits promptly on SIGTERM is what the goodbye waits for). The full tree stop follows in
     * {@link #stopChild}. Must not block.
     */
    default void signalAgent() {}

    void stateStopping();

    /** TERM the tree now, grace, KILL, reap. */
    void stopChild();

    /** Cancels running and queued commands; returns once they completed or their grace ran out. */
    void cancelCommands(String reason);

    /**
     * Waits until the agent has exited and its output was read to the end, at most until {@code
     * deadlineNanos}; then tells the command handler the agent is gone. True when all output was
     * read.
     */
    boolean awaitAgentOutput(long deadlineNanos);

    /** Sends on the output held back in linger buffers. */
    void flushOutput();

    void goodbye(Trigger trigger);

    /**
     * The second signal or the deadline: SIGKILL the tree now and send AGENT_DISCONNECT
     * best-effort.
     */
    void killNow(Trigger trigger);

    /** Last step: SIGKILL whatever the wrapper started that still runs. */
    void finalSweep();

    /**
     * The third signal, just before the halt: SIGKILL everything the wrapper started without
     * waiting for anything (a halt runs no hook, so this is the last chance to leave nothing
     * running).
     */
    default void killEverythingNow() {}

    /**
     * Before every halt: the run file goes (a halted wrapper must not look alive to {@code
     * status}).
     */
    default void removeRunFile() {}
  }

  private final Steps steps;
  private final Duration shutdownTimeout;
  private final Duration flushTimeout;
  private final IntConsumer halt;
  private final Log log;
  private final AtomicBoolean begun = new AtomicBoolean();
  private final AtomicInteger signals = new AtomicInteger();
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();
  private volatile Trigger trigger;

  /**
   * @param flushTimeout how long the agent's last output and then the goodbye may take, each
   * @param halt ends the process with a code ({@code Runtime::halt} when the wrapper owns the
   *     process; in-process tests record it instead). Called only on escalation and past the
   *     deadline.
   */
  public ShutdownCoordinator(
      Steps steps, Duration shutdownTimeout, Duration flushTimeout, IntConsumer halt, Log log) {
    this.steps = steps;
    this.shutdownTimeout = shutdownTimeout;
    this.flushTimeout = flushTimeout;
    this.halt = halt;
    this.log = log;
  }

  /** Starts the shutdown unless it has begun already; true when this call started it. */
  public boolean begin(Trigger t) {
    if (!begun.compareAndSet(false, true)) {
      return false;
    }
    if (t.cause() == Cause.STOP) {
      try {
        steps.signalAgent();
      } catch (RuntimeException e) {
        // stopChild below signals the whole tree anyway
      }
    }
    synchronized (begun) {
      begun.notifyAll();
    }
    trigger = t;
    log.info("stopping: " + t.reason() + " (exit code " + t.exitCode() + ")");
    Thread deadline =
        new Thread(
            () -> {
              try {
                exit.get(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS);
              } catch (java.util.concurrent.TimeoutException e) {
                haltWith(
                    124,
                    t,
                    "shutdown did not finish within "
                        + shutdownTimeout.toMillis()
                        + " ms; halting with 124");
              } catch (Exception e) {
                // finished
              }
            },
            "onsembl-shutdown-deadline");
    deadline.setDaemon(true);
    deadline.start();
    Thread runner = new Thread(() -> run(t), "onsembl-shutdown");
    runner.setDaemon(false);
    runner.start();
    return true;
  }

  private void run(Trigger t) {
    try {
      // The state (and its run file, a file write) on the child-stop thread: off the path to the
      // goodbye, which matters more than when `status` sees STOPPING.
      CompletableFuture<Void> child =
          async(
              () -> {
                steps.stateStopping();
                steps.stopChild();
              },
              "onsembl-child-stop");
      CompletableFuture<Void> cancel = CompletableFuture.completedFuture(null);
      if (t.cause() == Cause.AGENT_EXIT) {
        // Its last lines first: a session command it was running ends with them, not before them.
        if (!steps.awaitAgentOutput(System.nanoTime() + flushTimeout.toNanos())) {
          log.warn(
              "the agent's output did not reach its end within the flush timeout of "
                  + flushTimeout.toMillis()
                  + " ms (a process of its group may hold its stdout)");
        }
        steps.flushOutput();
        steps.cancelCommands(t.reason());
      } else {
        cancel = async(() -> steps.cancelCommands(t.reason()), "onsembl-command-cancel");
        long bound =
            t.cause() == Cause.FAILURE ? System.nanoTime() : t.atNanos() + GOODBYE_BOUND.toNanos();
        steps.awaitAgentOutput(bound);
        try {
          cancel.get(Math.max(0, bound - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (Exception e) {
          // the goodbye does not wait longer; late COMMAND_COMPLETEs are refused and counted by the
          // link
        }
        steps.flushOutput();
      }
      steps.goodbye(t);
      child.join();
      cancel.join(); // the commands' processes are gone too (cancelAll is bounded by its grace)
      steps.finalSweep();
    } catch (RuntimeException e) {
      log.error("error while stopping", e);
    } finally {
      finish(t.exitCode());
    }
  }

  private static CompletableFuture<Void> async(Runnable r, String name) {
    return CompletableFuture.runAsync(
        r,
        task -> {
          Thread th = new Thread(task, name);
          th.setDaemon(true);
          th.start();
        });
  }

  private void finish(int code) {
    exit.complete(code);
  }

  /**
   * A signal arrived: the first begins the shutdown with {@code first} (or, when something else
   * began it, changes nothing: it is still the first signal); the second kills the tree, says
   * goodbye best-effort and halts within a second; the third halts at once.
   */
  public void onSignal(String name, Trigger first) {
    int n = signals.incrementAndGet();
    if (n == 1) {
      if (!begin(first)) {
        log.info(
            "SIG"
                + name
                + " while already stopping ("
                + trigger.reason()
                + "); a second signal kills the tree");
      }
      return;
    }
    Trigger t = trigger == null ? first : trigger;
    if (n == 2) {
      log.warn("second signal (SIG" + name + "): killing the agent's process tree now");
      Thread th = new Thread(() -> haltWith(t.exitCode(), t, null), "onsembl-escalation");
      th.setDaemon(true);
      th.start();
    } else {
      log.warn(
          "third signal (SIG" + name + "): killing everything the wrapper started and halting now");
      try {
        steps.killEverythingNow();
        steps.removeRunFile();
      } catch (RuntimeException | Error e) {
        // halting anyway
      } finally {
        finish(t.exitCode());
        halt.accept(t.exitCode());
      }
    }
  }

  /**
   * Kills the tree and says goodbye best-effort on a thread of their own, waiting for them at most
   * {@link #HALT_STEPS_MAX}, then halts with {@code code} — in a {@code finally}, so a step that
   * throws or blocks cannot keep the process alive. {@code message} is logged from that thread too
   * (a stderr nobody reads can block a log line).
   */
  private void haltWith(int code, Trigger t, String message) {
    Thread steps =
        new Thread(
            () -> {
              try {
                if (message != null) {
                  log.error(message, null);
                }
                this.steps.killNow(t);
              } catch (RuntimeException | Error e) {
                // halting anyway
              }
            },
            "onsembl-halt-steps");
    steps.setDaemon(true);
    try {
      steps.start();
      steps.join(HALT_STEPS_MAX.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      try {
        this.steps.removeRunFile();
      } catch (RuntimeException | Error e) {
        // halting anyway
      } finally {
        finish(code);
        halt.accept(code);
      }
    }
  }

  public boolean hasBegun() {
    return begun.get();
  }

  /** Waits at most {@code max} for the shutdown to begin; true when it has. */
  public boolean awaitBegun(Duration max) {
    synchronized (begun) {
      long deadline = System.nanoTime() + max.toNanos();
      while (!begun.get()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(begun, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return begun.get();
        }
      }
      return true;
    }
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
