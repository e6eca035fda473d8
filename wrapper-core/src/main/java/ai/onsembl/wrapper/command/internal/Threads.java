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
   * One shared timer thread for output linger flushes, time limits and quiet periods. Its tasks only queue
   * frames or hand work to other threads, so one thread is enough for every streamer and runner.
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

  private static ScheduledExecutorService createTimer() {
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, daemon("onsembl-command-timer"));
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }
}
