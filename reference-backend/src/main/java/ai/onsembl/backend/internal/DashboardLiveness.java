package ai.onsembl.backend.internal;

import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.Ping;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard side of the heartbeat, as the TypeScript backend does it: every dashboard gets a
 * PING each heartbeat interval (an idle dashboard still sees traffic, which its client's health
 * monitor relies on), and a dashboard that sends no frame at all for the heartbeat timeout is
 * closed 4000. Any frame counts as an answer; the web frontend and the /agents page answer each
 * PING with a PONG.
 */
final class DashboardLiveness {
  private static final Logger LOG = LoggerFactory.getLogger(DashboardLiveness.class);
  static final String HEARTBEAT_TIMEOUT = "Heartbeat timeout";

  private final ScheduledExecutorService scheduler;
  private final long intervalNanos;
  private final long timeoutNanos;
  private final Map<Peer, Tasks> watched = new ConcurrentHashMap<>();
  private final Consumer<Peer> afterClose;

  private static final class Tasks {
    volatile ScheduledFuture<?> ping;
    volatile ScheduledFuture<?> deadline;
  }

  /**
   * {@code afterClose} runs after the close frame is queued (the backend's bounded close
   * handshake).
   */
  DashboardLiveness(
      ScheduledExecutorService scheduler,
      Duration interval,
      Duration timeout,
      Consumer<Peer> afterClose) {
    this.scheduler = scheduler;
    this.afterClose = afterClose;
    this.intervalNanos = interval.toNanos();
    this.timeoutNanos = timeout.toNanos();
  }

  void watch(Peer p) {
    Tasks t = new Tasks();
    if (watched.putIfAbsent(p, t) != null) {
      return;
    }
    t.ping =
        scheduler.scheduleAtFixedRate(
            () -> {
              if (!p.closed && !p.closing) {
                p.send(Message.of(new Ping(System.currentTimeMillis())));
              }
            },
            intervalNanos,
            intervalNanos,
            TimeUnit.NANOSECONDS);
    arm(p, t, timeoutNanos);
  }

  /** As the agents' monitor: a deadline that finds a newer frame re-arms for the new deadline. */
  private void arm(Peer p, Tasks t, long delayNanos) {
    t.deadline =
        scheduler.schedule(() -> check(p, t), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
  }

  private void check(Peer p, Tasks t) {
    if (p.closed || watched.get(p) != t) {
      return;
    }
    long silent = System.nanoTime() - p.lastFrameNanos;
    if (silent < timeoutNanos) {
      arm(p, t, timeoutNanos - silent);
      return;
    }
    unwatch(p);
    LOG.warn(
        "{}: no frame for {} ms, closing 4000 ({})",
        p.describe(),
        TimeUnit.NANOSECONDS.toMillis(silent),
        HEARTBEAT_TIMEOUT);
    p.close(4000, HEARTBEAT_TIMEOUT);
    afterClose.accept(p);
  }

  void unwatch(Peer p) {
    Tasks t = watched.remove(p);
    if (t != null) {
      if (t.ping != null) {
        t.ping.cancel(false);
      }
      if (t.deadline != null) {
        t.deadline.cancel(false);
      }
    }
  }

  int size() {
    return watched.size();
  }
}
