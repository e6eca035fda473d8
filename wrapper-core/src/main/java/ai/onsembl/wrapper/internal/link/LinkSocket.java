package ai.onsembl.wrapper.internal.link;

import ai.onsembl.protocol.Ascii;
import ai.onsembl.protocol.Limits;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.framing.Framedata;
import org.java_websocket.framing.TextFrame;
import org.java_websocket.handshake.ServerHandshake;

/**
 * One connection attempt, wrapping Java-WebSocket's traps once: its own lost-connection pinger is
 * off (the link does liveness itself, in milliseconds, not whole seconds); {@code connect()} never
 * blocks and nothing here waits for a close ({@code closeBlocking()} is never used: the link waits
 * for the close callback, bounded by the flush timeout, and {@link #abort}s); callbacks always name
 * the socket they come from, so a late callback of a replaced socket can be ignored. The first
 * {@code onClose}/{@code onError}-before-open is delivered exactly once.
 */
final class LinkSocket extends WebSocketClient {
  /** What the link hears from one socket. Called on Java-WebSocket's threads: return quickly. */
  interface Events {
    void opened(LinkSocket s);

    void text(LinkSocket s, String text);

    void received(LinkSocket s);

    void closed(LinkSocket s, int code, String reason, boolean remote);
  }

  private final Events events;
  private volatile boolean closedFired;
  private final AtomicBoolean badFrameSeen = new AtomicBoolean();

  /**
   * Frames in Java-WebSocket's send queue at which the backlog is summed (it is near empty
   * normally).
   */
  private static final int BACKLOG_CHECK_FRAMES = 64;

  /**
   * Frames in the send queue that make the link dead whatever their size (each buffer costs heap
   * too).
   */
  private static final int MAX_BACKLOG_FRAMES = 50_000;

  private final long maxBacklogBytes;
  private final AtomicBoolean backlogFull = new AtomicBoolean();
  private int sendsSinceCheck;

  LinkSocket(URI uri, Map<String, String> headers, int connectTimeoutMillis, Events events) {
    this(uri, headers, connectTimeoutMillis, events, 8L << 20);
  }

  /**
   * @param maxBacklogBytes bytes written but not yet taken by the backend (Java-WebSocket's
   *     unbounded send queue) at which the connection counts as dead: dropped at once, so the link
   *     reconnects with backoff instead of running out of heap (a backend that never reads while it
   *     sends PINGs piled up PONGs)
   */
  LinkSocket(
      URI uri,
      Map<String, String> headers,
      int connectTimeoutMillis,
      Events events,
      long maxBacklogBytes) {
    // A frame above the protocol's limit is refused by its header (close 1009) before its payload
    // is read:
    // unlimited, one 20 MB frame from a hostile backend ran the wrapper's small heap out of memory
    // and left
    // the read thread dead and the link deaf (e2e WrapperHostileServerIT).
    super(uri, new LinkDraft(Limits.MAX_FRAME_BYTES), headers, connectTimeoutMillis);
    this.events = events;
    this.maxBacklogBytes = maxBacklogBytes;
    setConnectionLostTimeout(0);
    setTcpNoDelay(true);
  }

  /**
   * Sends {@code text} as one text frame, without the library's UTF-8 validation of every outgoing
   * payload ({@code send(String)} re-reads each byte it just encoded: a tenth of the wrapper's CPU
   * when a child writes flat out). The bytes come from a Java String's UTF-8 encoding, which is
   * valid by construction.
   */
  @Override
  public void send(String text) {
    send(Ascii.utf8(text));
  }

  /** As {@link #send(String)} for text already encoded as UTF-8 (valid: from a Java String). */
  public void send(byte[] utf8) {
    TextFrame frame = new TextFrame();
    frame.setPayload(ByteBuffer.wrap(utf8));
    frame.setFin(true);
    frame.setTransferemasked(true);
    sendFrame(frame);
    checkBacklog();
  }

  /**
   * Drops the connection when the backend has left too much unread (see the constructor); any
   * thread.
   */
  private void checkBacklog() {
    if (!(getConnection() instanceof WebSocketImpl impl)) {
      return;
    }
    java.util.concurrent.BlockingQueue<ByteBuffer> queue = impl.outQueue;
    int frames = queue.size();
    if (frames < BACKLOG_CHECK_FRAMES) {
      return;
    }
    synchronized (this) {
      // Summing walks the queue: at most every 64th send while it is backed up.
      if (frames < MAX_BACKLOG_FRAMES && ++sendsSinceCheck < BACKLOG_CHECK_FRAMES) {
        return;
      }
      sendsSinceCheck = 0;
    }
    long bytes = unsentBytes(Integer.MAX_VALUE);
    if ((bytes > maxBacklogBytes || frames >= MAX_BACKLOG_FRAMES)
        && backlogFull.compareAndSet(false, true)) {
      String why =
          "the backend left "
              + bytes
              + " bytes in "
              + frames
              + " frames unread (limit "
              + maxBacklogBytes
              + " bytes): the link counts as dead";
      // Named before the socket closes: the library's writer, woken by the close, may report its
      // own bare 1006
      // before abort() below runs, and the link's log and reconnect reason must say why it was
      // dropped.
      dropReason = why;
      // Close the TCP socket first: the library's writer may be blocked in write() and only that
      // wakes it.
      try {
        java.net.Socket tcp = getSocket();
        if (tcp != null) {
          tcp.close();
        }
      } catch (java.io.IOException | RuntimeException e) {
        // closing anyway
      }
      queue.clear();
      abort(why);
    }
  }

  /**
   * Bytes written to this socket that the library has not yet handed to the kernel (its send
   * queue), or {@link Long#MAX_VALUE} when that queue holds more than {@code maxFrames} frames
   * (counting stops there: the caller only asks whether it is below a small window). Any thread.
   */
  long unsentBytes(int maxFrames) {
    if (!(getConnection() instanceof WebSocketImpl impl)) {
      return 0;
    }
    java.util.concurrent.BlockingQueue<ByteBuffer> queue = impl.outQueue;
    if (queue.size() > maxFrames) {
      return Long.MAX_VALUE;
    }
    long bytes = 0;
    for (ByteBuffer b : queue) {
      bytes += b.remaining();
    }
    return bytes;
  }

  /**
   * The oldest frame still in the library's send queue, or null when it is empty: the same object
   * for a while means the backend takes nothing (the library's writer is blocked in a write).
   */
  Object unsentHead() {
    return getConnection() instanceof WebSocketImpl impl ? impl.outQueue.peek() : null;
  }

  /**
   * True the first time it is called on this connection: the first bad frame is worth a warning.
   */
  boolean firstBadFrame() {
    return badFrameSeen.compareAndSet(false, true);
  }

  @Override
  public void onOpen(ServerHandshake handshake) {
    events.opened(this);
  }

  @Override
  public void onMessage(String message) {
    events.text(this, message);
  }

  @Override
  public void onWebsocketPong(WebSocket conn, Framedata f) {
    events.received(this);
  }

  @Override
  public void onClose(int code, String reason, boolean remote) {
    fireClosed(code, reason, remote);
  }

  /**
   * The last error Java-WebSocket reported on this socket (a TLS failure often comes with no close
   * reason).
   */
  volatile Exception lastError;

  /**
   * What went wrong, for a log line: the last error and its root cause, or null when none was
   * reported.
   */
  String lastErrorText() {
    Exception e = lastError;
    if (e == null) {
      return null;
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String top = e.getClass().getSimpleName() + ": " + e.getMessage();
    return root == e
        ? top
        : top + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
  }

  @Override
  public void onError(Exception ex) {
    lastError = ex;
    // Before the socket opened, Java-WebSocket may report a refused connect only here; make it a
    // close.
    if (!isOpen()) {
      fireClosed(1006, ex == null ? "connection failed" : String.valueOf(ex.getMessage()), false);
    }
  }

  /**
   * Why this side dropped the connection (a full backlog), whatever the library reports with its
   * 1006.
   */
  private volatile String dropReason;

  private synchronized void fireClosed(int code, String reason, boolean remote) {
    if (closedFired) {
      return;
    }
    closedFired = true;
    String why = dropReason;
    if (why != null) {
      events.closed(this, 1006, why, false);
      return;
    }
    events.closed(this, code, reason == null ? "" : reason, remote);
  }

  /**
   * Drops the TCP connection at once, without a close handshake (half-open links, shutdown
   * timeouts).
   */
  void abort(String why) {
    try {
      closeConnection(1006, why);
    } catch (RuntimeException e) {
      // already gone
    }
  }
}
