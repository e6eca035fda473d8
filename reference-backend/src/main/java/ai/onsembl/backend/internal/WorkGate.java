package ai.onsembl.backend.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Bounds the agent frames waiting for the worker, in bytes of frame text, with backpressure: a
 * frame that does not fit makes the socket thread that read it wait until the worker has caught up.
 * That thread then reads no more, the kernel's buffers fill and the sending agents are slowed by
 * TCP itself; nothing is dropped. Without the bound, one agent writing faster than SQLite commits
 * grew the worker's queue, and the heap, without limit.
 *
 * <p>Only frames read from agents pass here; closes, timers, HTTP and dashboard work never wait, so
 * the worker never waits on itself and a burst of disconnects is not held behind output.
 */
final class WorkGate {
  private final Executor worker;
  private final int limit;
  private final Semaphore room;
  private final BooleanSupplier stopped;
  private final AtomicLong waits = new AtomicLong();

  /**
   * @param limit bytes of frame text that may wait for the worker at once (a larger frame counts as
   *     the whole limit: it waits until the queue is empty)
   * @param stopped true once the backend is closing: a waiting thread gives up and the frame is
   *     dropped
   */
  WorkGate(Executor worker, int limit, BooleanSupplier stopped) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive but was " + limit);
    }
    this.worker = worker;
    this.limit = limit;
    this.room = new Semaphore(limit);
    this.stopped = stopped;
  }

  /**
   * Queues {@code task}, which stands for {@code bytes} of frame text, waiting while the queue is
   * full.
   */
  void run(int bytes, Runnable task) {
    int cost = Math.max(1, Math.min(bytes, limit));
    if (!room.tryAcquire(cost)) {
      waits.incrementAndGet();
      try {
        while (!room.tryAcquire(cost, 100, TimeUnit.MILLISECONDS)) {
          if (stopped.getAsBoolean()) {
            return;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    boolean queued = false;
    try {
      worker.execute(
          () -> {
            try {
              task.run();
            } finally {
              room.release(cost);
            }
          });
      queued = true;
    } finally {
      if (!queued) {
        room.release(cost);
      }
    }
  }

  /** Bytes of frame text queued for the worker now. */
  long queuedBytes() {
    return limit - (long) room.availablePermits();
  }

  /** Frames that had to wait for room since the start. */
  long waits() {
    return waits.get();
  }

  int limit() {
    return limit;
  }
}
