package ai.onsembl.backend.internal;

import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.util.Set;

/**
 * Empties Java-WebSocket's selected-key set at the end of each selector round in which data was
 * read; used only on the selector thread.
 *
 * <p>Java-WebSocket 1.6 takes a key out of its selector's selected-key set only when a read brought
 * data or an accept succeeded. A key that was ready for writing only stays in the set, with its
 * ready operations kept, and every later round visits it again: a {@code doWrite} that finds
 * nothing queued, takes the queue's lock and sets the interest back to {@code OP_READ}. Every
 * connection that was ever written to between two of its reads joins that set, so a round costs
 * time in proportion to the connections, not to what is ready: in a storm of 10,000 connects, 70 %
 * of the selector thread's samples were such empty writes.
 *
 * <p>The library's one hook after a round's keys is {@code readMore} on the channels that said
 * {@code isNeedRead()} after a read (meant for TLS). One {@link PlainConnectionChannel} per round
 * says so, and its {@code readMore} clears the set here. The selector is level-triggered, so a key
 * that is still ready comes back at the next {@code select()}.
 */
final class SelectedKeysSweep {
  /** A channel has been put in this round's extra-read queue. */
  private boolean scheduled;

  /** The sweep ran: the extra read's own {@code isNeedRead()} answer must be no. */
  private boolean swept;

  private long sweeps;

  /** A read brought data: a new round (or later in one), and a sweep may be scheduled again. */
  void readData() {
    swept = false;
  }

  /** Whether the calling channel is this round's sweeper (asked by the library after a read). */
  boolean schedule() {
    if (scheduled || swept) {
      return false;
    }
    scheduled = true;
    return true;
  }

  /** From the scheduled channel's {@code readMore}: the round's keys have all been handled. */
  void sweep(SelectionKey anyKey) {
    scheduled = false;
    swept = true;
    sweeps++;
    try {
      Set<SelectionKey> selected = anyKey.selector().selectedKeys();
      selected.clear();
    } catch (ClosedSelectorException stopping) {
      // the server is stopping
    }
  }

  long sweeps() {
    return sweeps;
  }
}
