package ai.onsembl.wrapper;

import ai.onsembl.protocol.Payload;

/**
 * Where frames for the backend go. Implemented by the backend link; {@link #send} never blocks:
 * while the link is down frames wait in the bounded outbound queue (1,000 frames / 8 MiB; control
 * frames are never dropped, terminal output is dropped oldest-first).
 */
public interface Outbound {
  /**
   * Queues {@code payload}; false when it was refused (queue full of control frames, or link closed
   * for good).
   */
  boolean send(Payload payload);

  /**
   * Back-pressure: called by a thread that reads a child's output, holding no lock, before it reads
   * more. Blocks while the backend is connected but reads slower than the child writes (so the
   * child waits in its own write, as on a slow terminal, instead of output being dropped); returns
   * at once when there is room, while the link is down, or once the wrapper is stopping. Does
   * nothing by default.
   */
  default void awaitRoom() {}
}
