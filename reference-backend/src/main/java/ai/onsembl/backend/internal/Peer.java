package ai.onsembl.backend.internal;

import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.ProtocolCodec;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.java_websocket.WebSocket;
import org.java_websocket.exceptions.WebsocketNotConnectedException;

/** One WebSocket connection: attached to its socket, created on open, never reused. */
public final class Peer {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Peer.class);

  /** Which endpoint the connection came in on. */
  public enum Kind {
    AGENT,
    DASHBOARD,
    REFUSED
  }

  final Kind kind;
  final int index;
  final WebSocket socket;
  final RateLimiter limiter;

  /**
   * Terminal output has a budget of its own: a wrapper streaming a busy agent sends coalesced 16
   * KiB chunks far faster than the per-connection message rate meant for floods of small frames.
   */
  final RateLimiter outputLimiter = new RateLimiter(FrameGuard.OUTPUT_FRAMES_PER_SECOND);

  private final java.util.concurrent.ScheduledExecutorService timer;
  final long openedNanos = System.nanoTime();
  private final Set<String> logged = ConcurrentHashMap.newKeySet();
  private final AtomicLong frames = new AtomicLong();

  /**
   * The agent id this connection announced in AGENT_CONNECT; set on the reading thread, before the
   * worker.
   */
  volatile String agentId;

  /** The credential an agent connection was opened with (which agent ids it may use). */
  volatile Authenticator.Result credential;

  /** The registered session once the worker accepted AGENT_CONNECT. */
  volatile AgentSession session;

  volatile long lastFrameNanos = System.nanoTime();
  volatile long lastSeenMillis = System.currentTimeMillis();

  /** Set once the connection is being shut for a reason of ours (flood, spoofing, timeout). */
  volatile boolean closing;

  volatile boolean closed;

  /** Told about every refusal on an agent connection (the JUnit extension's strict mode). */
  volatile BackendHooks hooks = BackendHooks.NONE;

  /** A dashboard's frames waiting for its socket (set when it joins the fan-out), else null. */
  volatile DashboardOutbox outbox;

  /** The code of the close frame the peer sent, or 0. */
  volatile int peerCloseCode;

  /**
   * Bytes this backend may have written to the peer that it has not read yet (Java-WebSocket's send
   * queue, beyond the kernel's buffers); past it the peer counts as not reading and is dropped.
   */
  volatile long maxUnreadBytes = 8L << 20;

  /** Frames in the send queue at which it is summed (it is near empty for a peer that reads). */
  private static final int UNREAD_CHECK_FRAMES = 256;

  /** Frames in the send queue that drop the peer whatever their size (each buffer costs heap). */
  private static final int MAX_UNREAD_FRAMES = 50_000;

  private int sendsSinceCheck;

  Peer(
      Kind kind,
      int index,
      WebSocket socket,
      RateLimiter limiter,
      java.util.concurrent.ScheduledExecutorService timer) {
    this.timer = timer;
    this.kind = kind;
    this.index = index;
    this.socket = socket;
    this.limiter = limiter;
  }

  /** Any frame is a sign of life. Memory only: a heartbeat never waits on the disk. */
  void touch() {
    lastFrameNanos = System.nanoTime();
    lastSeenMillis = System.currentTimeMillis();
  }

  /** The sequence number of the next frame read on this connection, from 0. */
  long nextFrameSequence() {
    return frames.getAndIncrement();
  }

  /**
   * True the first time {@code key} is seen on this connection: bad input is logged once per
   * connection.
   */
  boolean firstTime(String key) {
    return logged.add(key);
  }

  void send(Message message) {
    sendText(ProtocolCodec.standard().encode(message));
  }

  void sendText(String text) {
    try {
      // WebSocketImpl.close() is synchronized on the socket and sets CLOSING only after queueing
      // its close
      // frame; sending under the same lock keeps our frames from slipping in behind a close frame,
      // which
      // made the peer's kernel answer with RST and the close look abnormal (1006) on both sides.
      synchronized (socket) {
        if (socket.isOpen()) {
          socket.send(text);
          checkUnread();
        }
      }
    } catch (WebsocketNotConnectedException e) {
      // The peer is gone; its close handler does the bookkeeping.
    }
  }

  /**
   * Drops a peer that leaves too much unread: whatever it makes this backend send (PINGs, ERRORs,
   * commands) would otherwise pile up in the heap for as long as its socket stays open. Called
   * under the socket's lock after each send; the queue is summed at most every 64th send while
   * backed up.
   */
  private void checkUnread() {
    if (!(socket instanceof org.java_websocket.WebSocketImpl impl)) {
      return;
    }
    int queued = impl.outQueue.size();
    if (queued < UNREAD_CHECK_FRAMES) {
      sendsSinceCheck = 0;
      return;
    }
    if (queued < MAX_UNREAD_FRAMES && ++sendsSinceCheck % 64 != 1) {
      return;
    }
    long bytes = 0;
    for (java.nio.ByteBuffer b : impl.outQueue) {
      bytes += b.remaining();
    }
    if (bytes > maxUnreadBytes || queued >= MAX_UNREAD_FRAMES) {
      String why =
          "Not reading: "
              + bytes
              + " bytes in "
              + queued
              + " frames unread (limit "
              + maxUnreadBytes
              + " bytes)";
      if (firstTime("UNREAD")) {
        LOG.warn("{}: {}; dropping the connection", describe(), why);
      }
      closing = true;
      impl.outQueue.clear();
      // No close frame could get through a full queue: drop the TCP connection at once.
      impl.closeConnection(1006, why);
    }
  }

  void close(int code, String reason) {
    closing = true;
    socket.close(code, reason);
  }

  /**
   * Stops reading now and closes after {@code lingerMillis}. Java-WebSocket's server drops the TCP
   * connection as soon as its close frame is flushed; with a flood still arriving, the kernel then
   * answers with RST and the peer loses our ERROR and close frame (it sees 1006). A short linger
   * lets a peer that stops on the ERROR get a clean close with our code.
   */
  void closeAfter(int code, String reason, long lingerMillis) {
    closing = true;
    timer.schedule(
        () -> socket.close(code, reason), lingerMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  String describe() {
    return kind.name().toLowerCase()
        + " connection #"
        + index
        + (agentId == null ? "" : " (agent " + agentId + ")")
        + " from "
        + socket.getRemoteSocketAddress();
  }
}
