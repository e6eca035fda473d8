package ai.onsembl.wrapper.internal.link;

import ai.onsembl.wrapper.internal.Log;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The link's one thread ({@code onsembl-link}): all link and connection state is changed on it. A
 * task that throws is logged and the thread lives on; after {@link #shutdownNow} tasks are refused
 * quietly.
 */
final class LinkThread {
  private final ScheduledExecutorService exec;
  private final Log log;
  private final Consumer<Throwable> errors;

  /**
   * @param errors hears an {@link Error} a task threw (the thread itself lives on)
   */
  LinkThread(Log log, Consumer<Throwable> errors) {
    this.log = log;
    this.errors = errors;
    this.exec =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "onsembl-link");
              t.setDaemon(true);
              return t;
            });
  }

  /** Runs {@code r} on the link thread; false when the link has shut down. */
  boolean execute(Runnable r) {
    try {
      exec.execute(guarded(r));
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  /** Runs {@code r} once after {@code millis}; null when the link has shut down. */
  ScheduledFuture<?> schedule(Runnable r, long millis) {
    try {
      return exec.schedule(guarded(r), Math.max(0, millis), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      return null;
    }
  }

  /**
   * Runs {@code r} every {@code periodMillis}, first after one period; null when the link has shut
   * down.
   */
  ScheduledFuture<?> scheduleRepeating(Runnable r, long periodMillis) {
    try {
      return exec.scheduleAtFixedRate(
          guarded(r), periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      return null;
    }
  }

  /**
   * An Error on another of the link's threads (a socket's): reported like one of the link thread's
   * own.
   */
  void error(Error e) {
    errors.accept(e);
  }

  void shutdownNow() {
    exec.shutdownNow();
  }

  static void cancel(ScheduledFuture<?> f) {
    if (f != null) {
      f.cancel(false);
    }
  }

  private Runnable guarded(Runnable r) {
    return () -> {
      try {
        r.run();
      } catch (RuntimeException e) {
        log.error("link error", e);
      } catch (Error e) {
        errors.accept(e);
      }
    };
  }
}
