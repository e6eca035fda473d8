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
}
