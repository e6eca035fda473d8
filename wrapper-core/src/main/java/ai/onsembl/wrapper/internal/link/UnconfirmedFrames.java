package ai.onsembl.wrapper.internal.link;

import ai.onsembl.protocol.MessageType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Frames written to the current socket that the backend is not yet known to have read. A written
 * frame is not a delivered one: behind a link that forwards nothing (a blackhole, a dead NAT entry)
 * frames sit in socket buffers until the connection is declared dead, and are lost with it. A
 * WebSocket pong proves the backend read everything written before its ping (one TCP stream, read
 * in order), so each pong confirms the frames written before the ping it answers. When a connection
 * ends, what is still unconfirmed goes back to the front of the outbound queue and is replayed,
 * with the same message ids, after the next AGENT_CONNECT; the backend stores terminal output once
 * per (commandId, sequence) and ignores command updates after a terminal status, so a replay of a
 * frame that did arrive changes nothing.
 *
 * <p>Bounded by bytes: past the cap the oldest unconfirmed frames are forgotten (they were most
 * likely delivered). Used from the link's own thread only.
 */
final class UnconfirmedFrames {
  /** What is worth replaying; heartbeats, pongs and the handshake are not. */
  private static final Set<MessageType> REPLAYED =
      EnumSet.of(
          MessageType.TERMINAL_OUTPUT,
          MessageType.COMMAND_ACK,
          MessageType.COMMAND_COMPLETE,
          MessageType.AGENT_ERROR,
          MessageType.TRACE_EVENT);

  private record Written(OutboundQueue.Entry entry, long pingsBefore) {}

  private final ArrayDeque<Written> written = new ArrayDeque<>();
  private final long maxBytes;
  private final long pingEveryBytes;
  private long bytes;
  private long bytesSincePing;
  private long pingsSent;
  private long pongsReceived;
  private long forgotten;

  UnconfirmedFrames(long maxBytes) {
    this.maxBytes = maxBytes;
    this.pingEveryBytes = Math.max(16 * 1024, maxBytes / 32);
  }

  /**
   * Records a frame just written; true when it is one that would be replayed (a ping should
   * follow).
   */
  boolean written(OutboundQueue.Entry e) {
    if (!REPLAYED.contains(e.message().type())) {
      return false;
    }
    written.addLast(new Written(e, pingsSent));
    bytes += e.bytes();
    bytesSincePing += e.bytes();
    while (bytes > maxBytes && written.size() > 1) {
      bytes -= written.pollFirst().entry().bytes();
      forgotten++;
    }
    return true;
  }

  /**
   * True when so much was written since the last ping that one should go out before writing more.
   */
  boolean pingDue() {
    return bytesSincePing >= pingEveryBytes;
  }

  /** A WebSocket ping went out on the current socket. */
  void pingSent() {
    pingsSent++;
    bytesSincePing = 0;
  }

  /** A pong came back: everything written before the ping it answers was read by the backend. */
  void pongReceived() {
    pongsReceived = Math.min(pongsReceived + 1, pingsSent);
    while (!written.isEmpty() && written.peekFirst().pingsBefore() < pongsReceived) {
      bytes -= written.pollFirst().entry().bytes();
    }
  }

  /**
   * The connection ended: the frames to replay, oldest first; the counters start again for the next
   * one.
   */
  List<OutboundQueue.Entry> takeForReplay() {
    List<OutboundQueue.Entry> out = new ArrayList<>(written.size());
    for (Written w : written) {
      out.add(w.entry());
    }
    written.clear();
    bytes = 0;
    bytesSincePing = 0;
    pingsSent = 0;
    pongsReceived = 0;
    return out;
  }

  /** Pings sent on the current socket. */
  long pingsSent() {
    return pingsSent;
  }

  /** Pongs received on the current socket (never more than pings sent). */
  long pongsReceived() {
    return pongsReceived;
  }

  int size() {
    return written.size();
  }

  /** Frames forgotten past the byte cap since creation. */
  long forgotten() {
    return forgotten;
  }
}
