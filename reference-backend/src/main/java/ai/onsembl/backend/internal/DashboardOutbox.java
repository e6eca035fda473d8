package ai.onsembl.backend.internal;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;

/**
 * One dashboard's frames not yet handed to its socket, bounded in bytes (UTF-16 length of the JSON
 * text, close to its UTF-8 size for the ASCII-heavy frames the backend sends). Frames move to the
 * socket only while the socket itself holds less than a small window, so a dashboard that reads
 * slowly keeps its backlog here, where it can be coalesced: on overflow, only each agent's latest
 * status frame is kept; if that is not enough, the backlog is dropped and the dashboard is marked
 * for a fresh snapshot (DASHBOARD_CONNECTED) instead. Every method is synchronized: frames are
 * offered by the worker and drained by the timer.
 */
final class DashboardOutbox {
  /**
   * A queued frame; {@code key} is non-null for frames only the latest of which matters (status per
   * agent).
   */
  private record Entry(String text, String key) {}

  private final long limitBytes;
  private final ArrayDeque<Entry> queue = new ArrayDeque<>();

  /** Sizes of the frames handed to the socket that may still be in its queue, oldest first. */
  private final ArrayDeque<Integer> inSocket = new ArrayDeque<>();

  private long queuedBytes;
  private long inSocketBytes;
  private boolean resyncPending;
  private boolean snapshotClaimed;
  private long resyncSinceNanos;
  private long lastProgressNanos = System.nanoTime();
  private long coalesced;
  private long resyncs;

  DashboardOutbox(long limitBytes) {
    this.limitBytes = limitBytes;
  }

  /** What {@link #offer} did with a frame. */
  enum Offered {
    QUEUED,
    COALESCED,
    RESYNC,
    DISCARDED
  }

  /** Queues a frame; on overflow coalesces, then falls back to a resync. */
  synchronized Offered offer(String text, String key) {
    if (resyncPending) {
      return Offered.DISCARDED; // the snapshot to come will include its effect
    }
    queue.addLast(new Entry(text, key));
    queuedBytes += text.length();
    if (queuedBytes <= limitBytes) {
      return Offered.QUEUED;
    }
    coalesce();
    if (queuedBytes <= limitBytes) {
      return Offered.COALESCED;
    }
    queue.clear();
    queuedBytes = 0;
    resyncPending = true;
    resyncSinceNanos = System.nanoTime();
    resyncs++;
    return Offered.RESYNC;
  }

  /** Keeps only the newest frame of each key, in order; frames without a key stay. */
  private void coalesce() {
    Set<String> seen = new HashSet<>();
    ArrayDeque<Entry> kept = new ArrayDeque<>(queue.size());
    long bytes = 0;
    for (Iterator<Entry> it = queue.descendingIterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (e.key() != null && !seen.add(e.key())) {
        coalesced++;
        continue;
      }
      kept.addFirst(e);
      bytes += e.text().length();
    }
    queue.clear();
    queue.addAll(kept);
    queuedBytes = bytes;
  }

  /**
   * The next frame to hand to a socket whose queue holds {@code socketFrames} frames, or null when
   * there is nothing to send or the socket already holds {@code windowBytes} of ours (the last
   * frame may overshoot it, so a snapshot larger than the window still goes out whole).
   */
  synchronized String poll(int socketFrames, long windowBytes) {
    settle(socketFrames);
    Entry e = queue.peekFirst();
    if (e == null || inSocketBytes >= windowBytes) {
      return null;
    }
    queue.pollFirst();
    queuedBytes -= e.text().length();
    inSocket.addLast(e.text().length());
    inSocketBytes += e.text().length();
    return e.text();
  }

  /**
   * The socket's queue is FIFO: if it holds {@code socketFrames} frames, the older ones we gave it
   * are gone.
   */
  private void settle(int socketFrames) {
    if (inSocket.isEmpty()) {
      lastProgressNanos = System.nanoTime();
    }
    while (inSocket.size() > socketFrames) {
      inSocketBytes -= inSocket.pollFirst();
      lastProgressNanos = System.nanoTime();
    }
  }

  /** True once per resync, when it is pending and the socket has room for the snapshot. */
  synchronized boolean claimSnapshot(int socketFrames, long windowBytes) {
    settle(socketFrames);
    if (resyncPending && !snapshotClaimed && inSocketBytes < windowBytes / 2) {
      snapshotClaimed = true;
      return true;
    }
    return false;
  }

  /** Nanoseconds a pending resync has waited for the socket to drain, or 0. */
  synchronized long resyncWaitingNanos() {
    return resyncPending && !snapshotClaimed ? System.nanoTime() - resyncSinceNanos : 0;
  }

  /**
   * Nanoseconds the socket has held frames of ours without sending any (the dashboard reads
   * nothing), or 0. Call after {@link #poll} or {@link #claimSnapshot}, which look at the socket.
   */
  synchronized long stalledNanos() {
    return inSocket.isEmpty() ? 0 : System.nanoTime() - lastProgressNanos;
  }

  /** Queues the snapshot first; frames offered from now on follow it. */
  synchronized void snapshot(String text) {
    resyncPending = false;
    snapshotClaimed = false;
    queue.addFirst(new Entry(text, null));
    queuedBytes += text.length();
  }

  synchronized boolean idle() {
    return queue.isEmpty() && !resyncPending;
  }

  synchronized long queuedBytes() {
    return queuedBytes;
  }

  synchronized long coalescedFrames() {
    return coalesced;
  }

  synchronized long resyncs() {
    return resyncs;
  }
}
