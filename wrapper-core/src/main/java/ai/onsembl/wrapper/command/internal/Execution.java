package ai.onsembl.wrapper.command.internal;

import ai.onsembl.protocol.OutputStats;
import ai.onsembl.wrapper.command.OutputStreamer;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One command from EXECUTING to COMMAND_COMPLETE. Ends exactly once: the first stop request
 * (cancel, time limit, emergency stop, shutdown) decides the status; otherwise the way the work
 * ended does. Before the listener hears of the end, all output has been handed to the Outbound.
 */
public abstract class Execution {
  /** Hears the end of an execution, once, after its last output. */
  @FunctionalInterface
  public interface Listener {
    void finished(Execution execution, Outcome outcome, long executionMillis, OutputStats stats);
  }

  public static final String TIME_LIMIT_EXCEEDED = "time limit exceeded";

  protected final String commandId;
  protected final String text;
  protected final OutputStreamer streamer;
  protected final Executor pool;
  private final Long timeLimitMs;
  private final Duration grace;
  private final Listener listener;
  private final AtomicReference<Outcome> stopRequest = new AtomicReference<>();
  private final AtomicBoolean finished = new AtomicBoolean();
  private volatile boolean ended;
  private volatile long startNanos;
  private volatile ScheduledFuture<?> timeLimit;

  protected Execution(
      String commandId,
      String text,
      Long timeLimitMs,
      Duration grace,
      OutputStreamer streamer,
      Executor pool,
      Listener listener) {
    this.commandId = commandId;
    this.text = text;
    this.timeLimitMs = timeLimitMs;
    this.grace = grace;
    this.streamer = streamer;
    this.pool = pool;
    this.listener = listener;
  }

  public final String commandId() {
    return commandId;
  }

  /** Starts the work on the pool; returns at once. */
  public final void start() {
    startNanos = System.nanoTime();
    if (timeLimitMs != null && timeLimitMs > 0) {
      timeLimit =
          Threads.timer()
              .schedule(
                  () -> stop(Outcome.failed(TIME_LIMIT_EXCEEDED), grace),
                  timeLimitMs,
                  TimeUnit.MILLISECONDS);
    }
    pool.execute(this::run);
  }

  /**
   * Asks the work to stop, ending the command with {@code why}: SIGTERM, {@code grace}, SIGKILL
   * ({@code grace} null: SIGKILL at once). Returns at once. A later request does not change the
   * status, but a forced one still hurries a graceful one along.
   */
  public final void stop(Outcome why, Duration grace) {
    if (ended) {
      return;
    }
    boolean first = stopRequest.compareAndSet(null, why);
    if (!first && grace != null) {
      return;
    }
    try {
      pool.execute(() -> halt(grace));
    } catch (RejectedExecutionException e) {
      // The runner was closed while this command outlived cancelAll: stop it all the same.
      Thread t = new Thread(() -> halt(grace), "onsembl-command-halt-" + commandId);
      t.setDaemon(true);
      t.start();
    }
  }

  /** The body: start the work, wait for its end, call {@link #finish}. Runs on the pool. */
  protected abstract void run();

  /** Stops the work (see {@link #stop}); its end then reaches {@link #finish} as usual. */
  protected abstract void halt(Duration grace);

  protected final boolean stopRequested() {
    return stopRequest.get() != null;
  }

  /** The work has ended by itself: stop requests from now on are too late to change the outcome. */
  protected final void markEnded() {
    ended = true;
  }

  /** Ends the command (once): flushes its output, then tells the listener. */
  protected final void finish(Outcome natural) {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    ScheduledFuture<?> t = timeLimit;
    if (t != null) {
      t.cancel(false);
    }
    streamer.close();
    Outcome requested = stopRequest.get();
    Outcome outcome = requested != null ? requested.withExitCode(natural.exitCode()) : natural;
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    listener.finished(this, outcome, millis, streamer.outputStats());
  }

  public final boolean isFinished() {
    return finished.get();
  }
}
