package ai.onsembl.wrapper.internal.link;

import ai.onsembl.protocol.Ack;
import ai.onsembl.protocol.AgentConnect;
import ai.onsembl.protocol.AgentHeartbeat;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.protocol.Ping;
import ai.onsembl.protocol.Pong;
import ai.onsembl.protocol.ProtocolException;
import ai.onsembl.wrapper.internal.Log;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.java_websocket.exceptions.WebsocketNotConnectedException;

/**
 * One connection to the backend, from the TCP connect to its close: the handshake (AGENT_CONNECT
 * first, the ACK within the connect timeout), heartbeats at the server's interval (off on this
 * connection when the backend does not know them), PONG at once to every PING, WebSocket pings
 * every half interval whose pongs confirm written frames ({@link UnconfirmedFrames}), and liveness
 * (silent for two intervals: half-open, aborted). Reconnecting, the queue and the goodbye belong to
 * {@link BackendLink}, which makes a new connection for every attempt.
 *
 * <p>Threading: everything runs on the link thread except the socket callbacks, which only hand
 * events to it (PONG is the exception: it is sent from the socket's thread at once, so a busy link
 * thread never delays it). {@link #isAcked()} and {@link #lastReceivedNanos} are read from any
 * thread.
 */
final class LinkConnection {
  /** What the link hears from its connection; called on the link thread. */
  interface Owner {
    /** The ACK for AGENT_CONNECT came; {@code assignedId} is the ACK's agent id (may be null). */
    void acknowledged(LinkConnection c, String assignedId);

    /** A frame from the backend other than PING. */
    void message(LinkConnection c, Message m);

    /** The socket closed (or never opened): exactly once per connection. */
    void closed(LinkConnection c, int code, String reason);
  }

  private final LinkThread thread;
  private final Log log;
  private final Owner owner;
  private final LinkSocket socket;
  private final long connectTimeoutMillis;
  private final Supplier<AgentConnect> hello;
  private final Supplier<AgentHeartbeat> heartbeatPayload;

  /**
   * Written to this socket, not yet proven read by the backend (replayed by the link if it dies).
   */
  private final UnconfirmedFrames unconfirmed;

  private volatile boolean acked;
  private boolean everAcked;
  private volatile long lastReceivedNanos = System.nanoTime();

  // link thread only
  private String connectMessageId;
  private long intervalMillis;
  private boolean heartbeatsOn = true;
  private boolean closeFrameSent;
  private boolean ended;
  private final Deque<String> heartbeatIds = new ArrayDeque<>();
  private ScheduledFuture<?> heartbeatTask;
  private ScheduledFuture<?> livenessTask;
  private ScheduledFuture<?> connectDeadline;
  private Object stalledHead;
  private String goodbyeCloseReason;
  private long goodbyeClosePongs;
  private ScheduledFuture<?> goodbyeCloseFallback;
  private long stalledSinceNanos;

  LinkConnection(
      URI uri,
      Map<String, String> headers,
      LinkSettings settings,
      long maxUnconfirmedBytes,
      Supplier<AgentConnect> hello,
      Supplier<AgentHeartbeat> heartbeatPayload,
      LinkThread thread,
      Log log,
      Owner owner) {
    this.thread = thread;
    this.log = log;
    this.owner = owner;
    this.hello = hello;
    this.heartbeatPayload = heartbeatPayload;
    this.connectTimeoutMillis = settings.connectTimeout().toMillis();
    this.intervalMillis = settings.heartbeatInterval().toMillis();
    this.unconfirmed = new UnconfirmedFrames(maxUnconfirmedBytes);
    this.socket =
        new LinkSocket(uri, headers, (int) connectTimeoutMillis, new Events(), maxUnconfirmedBytes);
  }

  /** Starts the TCP connect and the ACK deadline; link thread. */
  void open() {
    connectDeadline =
        thread.schedule(
            () -> {
              if (!acked) {
                socket.abort("no ACK for AGENT_CONNECT within " + connectTimeoutMillis + " ms");
              }
            },
            connectTimeoutMillis);
    try {
      socket.connect();
    } catch (RuntimeException e) {
      ended(-1, String.valueOf(e.getMessage()));
    }
  }

  /** True once the backend acknowledged this connection's AGENT_CONNECT. Any thread. */
  boolean isAcked() {
    return acked;
  }

  /**
   * True when this connection was acknowledged at some point (it may have ended since). Link
   * thread.
   */
  boolean wasAcked() {
    return everAcked;
  }

  /** AGENT_CONNECT went out on an open socket (the ACK may still be missing). */
  boolean handshakeSent() {
    return connectMessageId != null && socket.isOpen();
  }

  boolean isOpen() {
    return socket.isOpen();
  }

  boolean isClosed() {
    return socket.isClosed();
  }

  /**
   * True when the goodbye's close began on this connection: everything up to AGENT_DISCONNECT is
   * written and the close frame follows once the backend read it (see {@link #closeGracefully}).
   */
  boolean goodbyeCloseBegun() {
    return goodbyeCloseReason != null;
  }

  /** The last error the socket reported, for a log line; null when none. */
  String lastErrorText() {
    return socket.lastErrorText();
  }

  /** The message of the last error, to tell whether the close reason already names it. */
  String lastErrorMessage() {
    Exception e = socket.lastError;
    return e == null ? null : String.valueOf(e.getMessage());
  }

  /**
   * Bytes the link may have written to the socket and not yet seen handed to the kernel: the
   * outbound queue is drained into the socket only while its unsent bytes are below this window, so
   * a backend that reads slower than the child writes holds output back in the bounded queue, where
   * the child's output readers wait for room ({@link BackendLink#awaitRoom}), instead of piling it
   * up in the library's unbounded send queue until the link counts as dead and output is lost.
   */
  static final long SOCKET_WINDOW_BYTES = 1L << 20;

  /** Frames in the library's send queue at which the window counts as full whatever their size. */
  private static final int SOCKET_WINDOW_FRAMES = 256;

  /** True when the socket's unsent bytes are below {@link #SOCKET_WINDOW_BYTES}. Any thread. */
  boolean hasRoom() {
    return socket.unsentBytes(SOCKET_WINDOW_FRAMES) < SOCKET_WINDOW_BYTES;
  }

  /**
   * Writes one queued frame; false when the socket is not connected (its close callback follows). A
   * frame that would be replayed is tracked until a pong confirms it, and a large batch gets a ping
   * of its own.
   */
  boolean write(OutboundQueue.Entry e) {
    try {
      socket.send(e.utf8());
    } catch (WebsocketNotConnectedException ex) {
      return false;
    }
    if (unconfirmed.written(e) && unconfirmed.pingDue()) {
      pingNow();
    }
    return true;
  }

  /**
   * Sends {@code m} now, outside the queue (handshake, heartbeat, goodbye during the handshake).
   */
  void sendNow(Message m) {
    try {
      socket.send(LinkCodec.encode(m));
    } catch (WebsocketNotConnectedException e) {
      // the close callback follows
    }
  }

  /**
   * The goodbye's close, after every frame written so far, sent once the backend has read them: a
   * ping follows the last frame, and the close frame goes out when its pong is back, or after
   * {@code maxWaitMillis} without it. Closing at once is not safe with a backend that reads slower
   * than the wrapper wrote: Java-WebSocket's client stops reading at the first frame that arrives
   * after its close frame and then closes the TCP socket with that frame unread, which resets the
   * connection, and the backend loses whatever it had not read yet (the agent's last lines and
   * AGENT_DISCONNECT among them).
   */
  void closeGracefully(String reason, long maxWaitMillis) {
    if (goodbyeCloseReason != null) {
      return;
    }
    goodbyeCloseReason = reason;
    pingNow();
    goodbyeClosePongs = unconfirmed.pingsSent();
    if (unconfirmed.pongsReceived() >= goodbyeClosePongs) {
      closeGoodbyeNow();
      return;
    }
    goodbyeCloseFallback = thread.schedule(this::closeGoodbyeNow, maxWaitMillis);
  }

  private void closeGoodbyeNow() {
    if (closeFrameSent) {
      return;
    }
    closeFrameSent = true;
    LinkThread.cancel(goodbyeCloseFallback);
    socket.close(1000, goodbyeCloseReason);
  }

  /** A WebSocket pong (link thread): confirms frames, and may let the goodbye's close go out. */
  private void pongReceived() {
    unconfirmed.pongReceived();
    if (goodbyeCloseReason != null && unconfirmed.pongsReceived() >= goodbyeClosePongs) {
      closeGoodbyeNow();
    }
  }

  /** A close frame outside the goodbye (stopping before the handshake, giving up). */
  void close(String reason) {
    socket.close(1000, reason);
  }

  /** Drops the TCP connection at once, without a close handshake. Any thread. */
  void abort(String why) {
    socket.abort(why);
  }

  /** No more heartbeats on this connection (the goodbye is on its way). */
  void stopHeartbeats() {
    LinkThread.cancel(heartbeatTask);
    heartbeatTask = null;
    heartbeatsOn = false;
  }

  /** The frames to replay after this connection died, oldest first. */
  List<OutboundQueue.Entry> takeUnconfirmed() {
    return unconfirmed.takeForReplay();
  }

  // ---- handshake
  // ---------------------------------------------------------------------------------

  private void opened() {
    Message m =
        new Message(
            MessageType.AGENT_CONNECT,
            "connect-" + UUID.randomUUID(),
            System.currentTimeMillis(),
            hello.get());
    connectMessageId = m.id();
    sendNow(m);
  }

  /** An ACK arrived; if it answers AGENT_CONNECT the connection is online. */
  void ack(Ack ack) {
    if (acked) {
      return;
    }
    boolean forConnect =
        connectMessageId != null
            && (connectMessageId.equals(ack.messageId())
                || (ack.messageId() == null && ack.agentId() != null));
    if (!forConnect) {
      return;
    }
    if (Boolean.FALSE.equals(ack.success())) {
      log.warn("backend refused AGENT_CONNECT (ACK success=false); reconnecting");
      socket.abort("AGENT_CONNECT refused");
      return;
    }
    acked = true;
    everAcked = true;
    LinkThread.cancel(connectDeadline);
    scheduleTimers();
    owner.acknowledged(this, ack.agentId());
  }

  // ---- heartbeats and liveness
  // -------------------------------------------------------------------

  /** SERVER_HEARTBEAT named the interval it expects. */
  void serverInterval(long millis) {
    if (millis != intervalMillis) {
      log.debug("backend expects a heartbeat every " + millis + " ms");
      intervalMillis = millis;
      if (acked) {
        scheduleTimers();
      }
    }
  }

  /**
   * The backend does not know AGENT_HEARTBEAT: off on this connection. True when they were on until
   * now.
   */
  boolean heartbeatUnknown() {
    if (!heartbeatsOn) {
      return false;
    }
    stopHeartbeats();
    return true;
  }

  /** True when {@code messageId} is one of the last heartbeats sent on this connection. */
  boolean isHeartbeatId(String messageId) {
    return heartbeatIds.contains(messageId);
  }

  private void scheduleTimers() {
    LinkThread.cancel(heartbeatTask);
    LinkThread.cancel(livenessTask);
    if (heartbeatsOn) {
      heartbeatTask = thread.scheduleRepeating(this::heartbeat, intervalMillis);
    }
    livenessTask = thread.scheduleRepeating(this::checkLiveness, Math.max(50, intervalMillis / 2));
  }

  private void heartbeat() {
    if (!acked || !heartbeatsOn) {
      return;
    }
    Message m = Message.of(heartbeatPayload.get());
    heartbeatIds.addLast(m.id());
    while (heartbeatIds.size() > 16) {
      heartbeatIds.removeFirst();
    }
    sendNow(m);
  }

  private void checkLiveness() {
    if (!acked) {
      return;
    }
    long now = System.nanoTime();
    // A backend that talks but never reads keeps the silence check quiet: its frames keep coming
    // while ours wait. The same oldest unsent frame for two intervals means it took nothing since.
    Object head = socket.unsentHead();
    if (head == null || head != stalledHead) {
      stalledHead = head;
      stalledSinceNanos = now;
    } else {
      long stalledMillis = TimeUnit.NANOSECONDS.toMillis(now - stalledSinceNanos);
      if (stalledMillis > 2 * intervalMillis) {
        long unsent = socket.unsentBytes(Integer.MAX_VALUE);
        log.warn(
            "the backend took none of the "
                + unsent
                + " bytes waiting for it in "
                + stalledMillis
                + " ms (2 intervals of "
                + intervalMillis
                + " ms); reconnecting");
        socket.abort("the backend read nothing for " + stalledMillis + " ms");
        return;
      }
    }
    long silentMillis = TimeUnit.NANOSECONDS.toMillis(now - lastReceivedNanos);
    if (silentMillis > 2 * intervalMillis) {
      log.warn(
          "no frame from the backend for "
              + silentMillis
              + " ms (2 intervals of "
              + intervalMillis
              + " ms); the link is half-open, reconnecting");
      socket.abort("half-open: silent for " + silentMillis + " ms");
      return;
    }
    pingNow();
  }

  /** A WebSocket ping; its pong confirms every frame written before it (see UnconfirmedFrames). */
  private void pingNow() {
    try {
      socket.sendPing();
      unconfirmed.pingSent();
    } catch (RuntimeException e) {
      // closing; onClose follows
    }
  }

  private void ended(int code, String reason) {
    if (ended) {
      return;
    }
    ended = true;
    acked = false;
    LinkThread.cancel(heartbeatTask);
    LinkThread.cancel(livenessTask);
    LinkThread.cancel(connectDeadline);
    LinkThread.cancel(goodbyeCloseFallback);
    owner.closed(this, code, reason);
  }

  /**
   * What the socket reports; on Java-WebSocket's threads, so everything but PONG moves to the link
   * thread.
   */
  private final class Events implements LinkSocket.Events {
    @Override
    public void opened(LinkSocket s) {
      lastReceivedNanos = System.nanoTime();
      thread.execute(LinkConnection.this::opened);
    }

    @Override
    public void text(LinkSocket s, String text) {
      try {
        handleText(s, text);
      } catch (Error e) {
        thread.error(e);
      }
    }

    private void handleText(LinkSocket s, String text) {
      lastReceivedNanos = System.nanoTime();
      Message m;
      try {
        m = LinkCodec.decode(text);
      } catch (ProtocolException pe) {
        // Visible at the default level once per connection (a garbage-spewing backend must show in
        // the log),
        // then at debug so it cannot flood it.
        if (s.firstBadFrame()) {
          log.warn(
              "bad frame from the backend (further ones on this connection at debug): "
                  + pe.getMessage());
        } else {
          log.debug("bad frame from the backend: " + pe.getMessage());
        }
        try {
          s.send(LinkCodec.encode(Message.of(pe.toErrorPayload())));
        } catch (RuntimeException ignored) {
          // closing
        }
        return;
      }
      if (m.type() == MessageType.PING) {
        // At once, from this thread: a busy link thread must never delay a PONG.
        Ping ping = (Ping) m.payload();
        sendNow(Message.of(new Pong(ping.timestamp() != null ? ping.timestamp() : m.timestamp())));
        return;
      }
      thread.execute(() -> owner.message(LinkConnection.this, m));
    }

    @Override
    public void received(LinkSocket s) {
      lastReceivedNanos = System.nanoTime();
      thread.execute(LinkConnection.this::pongReceived);
    }

    @Override
    public void closed(LinkSocket s, int code, String reason, boolean remote) {
      thread.execute(() -> ended(code, reason));
    }
  }
}
