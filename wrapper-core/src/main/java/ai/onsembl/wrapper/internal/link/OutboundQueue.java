package ai.onsembl.wrapper.internal.link;

import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.MessageType;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The frames waiting for the backend, in order, bounded by frames and bytes (1,000 frames / 8 MiB).
 * When full, the oldest TERMINAL_OUTPUT goes first (the receiver sees the gap in {@code sequence});
 * control frames (ACK, COMPLETE, ERROR, DISCONNECT …) are never dropped: they may overfill the
 * queue up to twice its bounds, and only past that are they refused. Thread-safe.
 */
public final class OutboundQueue {
  /** One encoded frame: its UTF-8, as it goes on the wire. */
  public record Entry(Message message, byte[] utf8) {
    /** Its size on the wire. */
    public int bytes() {
      return utf8.length;
    }

    boolean droppable() {
      return message.type() == MessageType.TERMINAL_OUTPUT;
    }
  }

  private final int maxFrames;
  private final long maxBytes;
  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private long bytes;
  private long dropped;

  public OutboundQueue(int maxFrames, long maxBytes) {
    if (maxFrames < 1 || maxBytes < 1) {
      throw new IllegalArgumentException(
          "bounds must be positive but were " + maxFrames + " frames / " + maxBytes + " bytes");
    }
    this.maxFrames = maxFrames;
    this.maxBytes = maxBytes;
  }

  /** Queues {@code message} encoded as {@code utf8}; false when it was refused (see class doc). */
  public synchronized boolean offer(Message message, byte[] utf8) {
    Entry e = new Entry(message, utf8);
    while (full(e.bytes(), maxFrames, maxBytes) && dropOldestOutput()) {
      // dropping oldest-first until it fits
    }
    if (!full(e.bytes(), maxFrames, maxBytes)) {
      add(e);
      return true;
    }
    if (e.droppable() || full(e.bytes(), 2 * maxFrames, 2 * maxBytes)) {
      dropped++;
      return false;
    }
    add(e);
    return true;
  }

  /**
   * Puts frames that were written to a connection that then died back at the front, oldest first,
   * ahead of everything queued since (their order on the wire is kept). The bounds apply as for
   * {@link #offer}: terminal output is dropped oldest-first to make room.
   */
  public synchronized void requeueFront(java.util.List<Entry> replay) {
    for (int i = replay.size() - 1; i >= 0; i--) {
      Entry e = replay.get(i);
      entries.addFirst(e);
      bytes += e.bytes();
    }
    while ((entries.size() > maxFrames || bytes > maxBytes) && dropOldestOutput()) {
      // dropping oldest-first until it fits
    }
  }

  /** The oldest frame, or null. */
  public synchronized Entry peek() {
    return entries.peekFirst();
  }

  /**
   * Removes {@code e} if it is still the head (it may have been dropped while it was being sent).
   */
  public synchronized void removeHead(Entry e) {
    if (entries.peekFirst() == e) {
      entries.pollFirst();
      bytes -= e.bytes();
    }
  }

  public synchronized int size() {
    return entries.size();
  }

  public synchronized long bytes() {
    return bytes;
  }

  /** Frames dropped or refused since creation. */
  public synchronized long dropped() {
    return dropped;
  }

  /** True when a frame with this id is waiting. */
  public synchronized boolean contains(String messageId) {
    for (Entry e : entries) {
      if (e.message().id().equals(messageId)) {
        return true;
      }
    }
    return false;
  }

  private boolean full(int extraBytes, long frames, long byteLimit) {
    return entries.size() + 1 > frames || bytes + extraBytes > byteLimit;
  }

  private void add(Entry e) {
    entries.addLast(e);
    bytes += e.bytes();
  }

  private boolean dropOldestOutput() {
    for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (e.droppable()) {
        it.remove();
        bytes -= e.bytes();
        dropped++;
        return true;
      }
    }
    return false;
  }
}
