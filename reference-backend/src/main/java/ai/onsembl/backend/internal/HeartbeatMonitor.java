package ai.onsembl.backend.internal;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One deadline per agent (last frame + timeout), on one scheduler. A deadline task that finds a
 * newer frame re-arms itself for the new deadline instead of being rescheduled on every frame, so a
 * sign of life costs one volatile write.
 */
final class HeartbeatMonitor {
  private final ScheduledExecutorService scheduler;
  private final long intervalNanos;
  private final long timeoutNanos;
  private final Consumer<AgentSession> ping;
  private final Consumer<AgentSession> timedOut;

  HeartbeatMonitor(
      ScheduledExecutorService scheduler,
      Duration interval,
      Duration timeout,
      Consumer<AgentSession> ping,
      Consumer<AgentSession> timedOut) {
    this.scheduler = scheduler;
    this.intervalNanos = interval.toNanos();
    this.timeoutNanos = timeout.toNanos();
    this.ping = ping;
    this.timedOut = timedOut;
  }

  void watch(AgentSession s) {
    s.pingTask =
        scheduler.scheduleAtFixedRate(
            () -> {
              if (!s.ended.get()) {
                ping.accept(s);
              }
            },
            intervalNanos,
            intervalNanos,
            TimeUnit.NANOSECONDS);
    arm(s, timeoutNanos);
  }

  private void arm(AgentSession s, long delayNanos) {
    s.deadlineTask =
        scheduler.schedule(() -> check(s), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
  }

  /**
   * Schedules the deadline again from the session's last frame (a timeout found stale on the
   * worker).
   */
  void rearm(AgentSession s) {
    arm(s, timeoutNanos - (System.nanoTime() - s.peer.lastFrameNanos));
  }

  private void check(AgentSession s) {
    if (s.ended.get()) {
      return;
    }
    long silent = System.nanoTime() - s.peer.lastFrameNanos;
    if (silent >= timeoutNanos) {
      timedOut.accept(s);
    } else {
      arm(s, timeoutNanos - silent);
    }
  }

  void unwatch(AgentSession s) {
    if (s.pingTask != null) {
      s.pingTask.cancel(false);
    }
    if (s.deadlineTask != null) {
      s.deadlineTask.cancel(false);
    }
  }
}
