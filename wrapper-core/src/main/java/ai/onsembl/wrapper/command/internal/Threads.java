package ai.onsembl.wrapper.command.internal;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Daemon threads for the command runner, so a forgotten runner never keeps the JVM alive. */
public final class Threads {
  private static final ScheduledExecutorService TIMER = createTimer();

  private Threads() {}

  /**
   * One shared timer thread for output linger flushes, time limits and quiet periods. Its tasks
   * only queue frames or hand work to other threads, so one thread is enough for every streamer and
   * runner.
   */
  public static ScheduledExecutorService timer() {
    return TIMER;
  }

  /** A factory of daemon threads named {@code prefix-N}. */
  public static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * An {@link Error} on one of these threads that nobody would see otherwise (a timer task's is
   * kept in its future): handed to the default uncaught-exception handler, which the wrapper that
   * owns the process points at its shutdown (exit 1).
   */
  public static void fatal(Error e) {
    Thread.UncaughtExceptionHandler h = Thread.getDefaultUncaughtExceptionHandler();
    if (h != null) {
      h.uncaughtException(Thread.currentThread(), e);
    }
  }

  private static ScheduledExecutorService createTimer() {
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(1, daemon("onsembl-command-timer")) {
          @Override
          protected void afterExecute(Runnable r, Throwable t) {
            super.afterExecute(r, t);
            if (r instanceof java.util.concurrent.Future<?> f && f.isDone() && !f.isCancelled()) {
              try {
                f.get();
              } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof Error err) {
                  fatal(err);
                }
              } catch (InterruptedException | java.util.concurrent.CancellationException e) {
                // not an error of the task
              }
            }
          }
        };
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }
}
