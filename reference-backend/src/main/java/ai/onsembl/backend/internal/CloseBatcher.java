package ai.onsembl.backend.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Agent closes, handled in batches on the worker. Each close queues one worker task, so it runs
 * after every frame its connection queued before it; a task that finds a newer close queued behind
 * it leaves the work to that one, so when closes arrive faster than the worker handles them (10,000
 * agents killed at once) they pile up and are handled together: one transaction and one run of
 * broadcasts. A task that defers costs a lock and a comparison, so the newest task is reached as
 * soon as the worker has worked through what was queued before it.
 */
final class CloseBatcher {
  /** One closed agent connection, with the close code to report and when it was detected. */
  record Closed(Peer peer, int code, long detectedNanos, long seq) {}

  private final Executor worker;
  private final Consumer<List<Closed>> handler;
  private final ArrayDeque<Closed> pending = new ArrayDeque<>();
  private long lastSeq;
  private long batches;
  private int largestBatch;

  CloseBatcher(Executor worker, Consumer<List<Closed>> handler) {
    this.worker = worker;
    this.handler = handler;
  }

  /** On Java-WebSocket's thread: queues the close and a worker task for it. */
  void closed(Peer peer, int code, long detectedNanos) {
    long seq;
    synchronized (this) {
      seq = ++lastSeq;
      pending.addLast(new Closed(peer, code, detectedNanos, seq));
    }
    worker.execute(() -> run(seq));
  }

  /** On the worker: the task of close {@code seq}. */
  private void run(long seq) {
    List<Closed> batch;
    synchronized (this) {
      Closed oldest = pending.peekFirst();
      if (oldest == null || oldest.seq() > seq) {
        return; // already handled by an earlier batch
      }
      if (seq != lastSeq) {
        return; // a newer close's task is queued behind this one and will take this close along
      }
      batch = new ArrayList<>();
      while (!pending.isEmpty() && pending.peekFirst().seq() <= seq) {
        batch.add(pending.pollFirst());
      }
    }
    synchronized (this) {
      batches++;
      largestBatch = Math.max(largestBatch, batch.size());
    }
    handler.accept(batch);
  }

  synchronized int pending() {
    return pending.size();
  }

  /** Batches handled so far. */
  synchronized long batches() {
    return batches;
  }

  synchronized int largestBatch() {
    return largestBatch;
  }
}
