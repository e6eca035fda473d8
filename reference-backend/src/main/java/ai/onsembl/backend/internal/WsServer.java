package ai.onsembl.backend.internal;

import ai.onsembl.backend.internal.Authenticator.Result;
import ai.onsembl.backend.internal.Authenticator.Role;
import ai.onsembl.protocol.ErrorCode;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.exceptions.LimitExceededException;
import org.java_websocket.framing.Framedata;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One Java-WebSocket server for both endpoints; routes by path and authenticates on open. */
final class WsServer extends WebSocketServer {
  private static final Logger LOG = LoggerFactory.getLogger(WsServer.class);
  static final String AGENT_PATH = "/ws/agent";
  static final String DASHBOARD_PATH = "/ws/dashboard";

  /**
   * Frames an agent may send at once before its rate applies: a wrapper replays up to 1,000 queued
   * frames right after reconnecting (its outbound queue), which must not look like a flood.
   */
  static final int AGENT_REPLAY_BURST = 1000;

  /** Connections that have not upgraded and authenticated by then are closed. */
  static final java.time.Duration HANDSHAKE_DEADLINE = java.time.Duration.ofSeconds(10);

  /** Connections accepted but not yet upgraded and authenticated, in total and from one address. */
  static final int MAX_PENDING = 1024;

  static final int MAX_PENDING_PER_ADDRESS = 512;

  private final BackendCore core;
  final ConnectionGuard guard;
  private final CountDownLatch started = new CountDownLatch(1);
  private final AtomicReference<Exception> startFailure = new AtomicReference<>();

  WsServer(BackendCore core, InetSocketAddress address) {
    super(address, List.of(new LimitedDraft(core.config.maxFrameBytes())));
    this.core = core;
    this.guard =
        new ConnectionGuard(
            MAX_PENDING,
            MAX_PENDING_PER_ADDRESS,
            HANDSHAKE_DEADLINE,
            new ConnectionGuard.FdBudget());
    setWebSocketFactory(guard);
    setReuseAddr(true);
    setTcpNoDelay(true);
    setDaemon(true);
    setMaxPendingConnections(4096);
    // A backstop for half-open dashboards only (agents are covered sooner by the heartbeat
    // deadline); short
    // values would close busy but healthy peers with 1006 before our own deadline could speak.
    setConnectionLostTimeout((int) Math.max(30, core.config.heartbeatTimeout().toSeconds() * 2));
  }

  /** Serves TLS (wss://): the guard stays in front of the TLS factory. */
  void useTls(javax.net.ssl.SSLContext tls) {
    guard.delegateTo(new org.java_websocket.server.DefaultSSLWebSocketServerFactory(tls));
  }

  /**
   * Whether the listening socket is still open and its selector thread alive. Java-WebSocket closes
   * the listening socket for good when accept() fails (e.g. "Too many open files") and logs
   * nothing, and it offers no way to ask: this reads its private fields.
   */
  boolean listening() {
    try {
      java.lang.reflect.Field server = WebSocketServer.class.getDeclaredField("server");
      java.lang.reflect.Field thread = WebSocketServer.class.getDeclaredField("selectorthread");
      server.setAccessible(true);
      thread.setAccessible(true);
      java.nio.channels.ServerSocketChannel channel =
          (java.nio.channels.ServerSocketChannel) server.get(this);
      Thread selector = (Thread) thread.get(this);
      return channel != null && channel.isOpen() && selector != null && selector.isAlive();
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("cannot inspect Java-WebSocket's listener: " + e, e);
    }
  }

  /** How often {@link #resumeStrandedWrites()} runs. */
  static final java.time.Duration RESUME_WRITES_EVERY = java.time.Duration.ofMillis(100);

  /**
   * Asks every connection that has queued frames but no write interest to write again; returns how
   * many. Java-WebSocket 1.6 loses such wake-ups: its selector thread, having written a
   * connection's queue empty, sets the key back to OP_READ, and when another thread queued a frame
   * and asked for OP_WRITE in between, that request is overwritten. The frame then waited for the
   * connection's next send: an agent's ACK up to the next PING (15 s by default), seen as one agent
   * in 10,000 connecting 10 s late; a dashboard's frame as long. Run every {@link
   * #RESUME_WRITES_EVERY} on the timer: upgraded connections and those still in their handshake
   * (whose 101 response can be stranded the same way).
   */
  int resumeStrandedWrites() {
    int resumed = 0;
    for (WebSocket c : getConnections()) {
      resumed += resume(c);
    }
    for (WebSocket c : guard.pendingConnections()) {
      resumed += resume(c);
    }
    return resumed;
  }

  private int resume(WebSocket c) {
    if (!(c instanceof WebSocketImpl impl) || impl.outQueue.isEmpty()) {
      return 0;
    }
    SelectionKey key = impl.getSelectionKey();
    try {
      if (key == null || !key.isValid() || (key.interestOps() & SelectionKey.OP_WRITE) != 0) {
        return 0;
      }
    } catch (CancelledKeyException closedMeanwhile) {
      return 0;
    }
    onWriteDemand(impl);
    return 1;
  }

  /** Starts and waits until bound; returns the real port. */
  int startAndWait() {
    start();
    try {
      if (!started.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("WebSocket server did not start within 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the WebSocket server", e);
    }
    Exception failure = startFailure.get();
    if (failure != null) {
      throw new IllegalStateException(
          "cannot listen on " + getAddress() + ": " + failure.getMessage(), failure);
    }
    return getPort();
  }

  /** Java-WebSocket's selector thread (it calls {@link #onStart()}). */
  private volatile Thread selectorThread;

  @Override
  public void onStart() {
    selectorThread = Thread.currentThread();
    started.countDown();
  }

  /**
   * Stops the server and makes sure its selector thread ends, which closes the listening socket.
   *
   * <p>Java-WebSocket 1.6's {@code stop} only waits for that thread, and after an {@link Error} on
   * a decoder thread it can wait forever: the dying decoder holds one of the selector's few read
   * buffers (2 per decoder + 1) and never gives it back, the selector then blocks in its {@code
   * takeBuffer()} at the next readable socket (the close frame an agent sends back is enough), and
   * the decoder itself waits in {@code stop(0)} for the selector to end. An interrupt ends that
   * wait; the library then closes its selector and the listening socket (its {@code
   * doServerShutdown()}).
   */
  void stopListening(int timeoutMillis, String message) throws InterruptedException {
    stop(timeoutMillis, message);
    Thread selector = selectorThread;
    if (selector == null || selector == Thread.currentThread()) {
      return;
    }
    selector.join(timeoutMillis);
    if (selector.isAlive()) {
      LOG.warn(
          "The WebSocket selector thread did not end {} ms after stop ({}); interrupting it",
          timeoutMillis,
          selectorState(selector));
      selector.interrupt();
      selector.join(timeoutMillis);
    }
  }

  private static String selectorState(Thread t) {
    StackTraceElement[] stack = t.getStackTrace();
    for (StackTraceElement e : stack) {
      if (e.getClassName().startsWith("org.java_websocket")) {
        return t.getState() + " in " + e.getClassName() + "." + e.getMethodName();
      }
    }
    return t.getState().toString();
  }

  @Override
  public void onOpen(WebSocket conn, ClientHandshake handshake) {
    URI uri;
    try {
      uri = URI.create(handshake.getResourceDescriptor());
    } catch (IllegalArgumentException e) {
      uri = URI.create("/invalid");
    }
    String path = uri.getPath();
    Role role =
        AGENT_PATH.equals(path) ? Role.AGENT : DASHBOARD_PATH.equals(path) ? Role.DASHBOARD : null;
    int index = core.peerIndex.getAndIncrement();
    // Upgraded: from here the peer is authenticated or refused and closed shortly (below).
    guard.authenticated(conn);
    if (role == null) {
      Peer p = new Peer(Peer.Kind.REFUSED, index, conn, new RateLimiter(1), core.scheduler);
      conn.setAttachment(p);
      FrameGuard.refuse(
          p,
          ErrorCode.INVALID_MESSAGE,
          "Unknown endpoint " + path + ": use " + AGENT_PATH + " or " + DASHBOARD_PATH,
          null);
      p.closeAfter(1008, "Unknown endpoint", 250);
      return;
    }
    Result auth = core.auth.check(role, token(handshake, uri));
    if (!auth.accepted()
        && role == Role.DASHBOARD
        && token(handshake, uri) == null
        && core.web.authenticatesUpgrade(
            handshake.getFieldValue("Cookie"),
            handshake.getFieldValue("Origin"),
            handshake.getFieldValue("Host"))) {
      auth =
          Result.ok("dashboard-session"); // the /agents page: its session cookie instead of a token
    }
    if (!auth.accepted()) {
      Peer p = new Peer(Peer.Kind.REFUSED, index, conn, new RateLimiter(1), core.scheduler);
      conn.setAttachment(p);
      LOG.warn(
          "Refused {} connection #{} from {}: {}",
          role.name().toLowerCase(),
          index,
          conn.getRemoteSocketAddress(),
          auth.reason());
      p.send(Messages.error(ErrorCode.UNAUTHORIZED, auth.reason(), null));
      // Linger: the client's first frames (AGENT_CONNECT) are likely in flight; see
      // Peer.closeAfter.
      p.closeAfter(4401, "Unauthorized", 250);
      return;
    }
    if (role == Role.AGENT) {
      Peer p =
          new Peer(
              Peer.Kind.AGENT,
              index,
              conn,
              new RateLimiter(core.config.agentMessagesPerSecond(), AGENT_REPLAY_BURST),
              core.scheduler);
      p.hooks = core.hooks;
      p.credential = auth;
      p.maxUnreadBytes = unreadLimit();
      conn.setAttachment(p);
      watchFrameSize(conn, p);
      core.expectConnect(p);
    } else {
      Peer p =
          new Peer(
              Peer.Kind.DASHBOARD,
              index,
              conn,
              new RateLimiter(core.config.dashboardMessagesPerSecond()),
              core.scheduler);
      p.maxUnreadBytes = unreadLimit();
      conn.setAttachment(p);
      watchFrameSize(conn, p);
      core.onWorker(() -> core.dashboards.opened(p));
    }
  }

  /**
   * Unread bytes after which a peer counts as not reading: 8 frames of the largest size (8 MiB).
   */
  private long unreadLimit() {
    return 8L * core.config.maxFrameBytes();
  }

  private static void watchFrameSize(WebSocket conn, Peer p) {
    if (conn.getDraft() instanceof LimitedDraft d) {
      d.onCloseFrame = code -> p.peerCloseCode = code;
      d.onOversize =
          () -> {
            FrameGuard.refuse(
                p,
                ErrorCode.RESOURCE_EXHAUSTED,
                "frame too large: expected at most " + d.maxFrameBytes() + " bytes",
                null);
            p.closeAfter(1009, "Frame too large", 250);
          };
    }
  }

  private static String token(ClientHandshake handshake, URI uri) {
    String header = handshake.getFieldValue("Authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return header.substring(7).trim();
    }
    return queryParam(uri.getRawQuery(), "token");
  }

  static String queryParam(String rawQuery, String name) {
    if (rawQuery == null) {
      return null;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (URLDecoder.decode(key, StandardCharsets.UTF_8).equals(name)) {
        return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  @Override
  public void onClose(WebSocket conn, int code, String reason, boolean remote) {
    long detected = System.nanoTime();
    Peer p = conn.getAttachment();
    if (p == null) {
      return;
    }
    p.closed = true;
    // 1006 after the peer's own close frame is Java-WebSocket seeing EOF before finishing the
    // handshake.
    int effective = code == 1006 && p.peerCloseCode != 0 ? p.peerCloseCode : code;
    if (p.kind == Peer.Kind.AGENT) {
      core.metrics.agentSocketClosed();
      core.closes.closed(p, effective, detected);
    } else if (p.kind == Peer.Kind.DASHBOARD) {
      core.onWorker(() -> core.dashboards.closed(p));
    }
  }

  @Override
  public void onMessage(WebSocket conn, String message) {
    Peer p = conn.getAttachment();
    if (p == null || p.closing) {
      return;
    }
    if (p.kind == Peer.Kind.AGENT) {
      core.agentEndpoint.onFrame(p, message);
    } else if (p.kind == Peer.Kind.DASHBOARD) {
      core.dashboards.onFrame(p, message);
    }
  }

  @Override
  public void onMessage(WebSocket conn, ByteBuffer message) {
    Peer p = conn.getAttachment();
    if (p == null || p.closing || p.kind == Peer.Kind.REFUSED) {
      return;
    }
    p.touch();
    if (FrameGuard.withinRate(p)) {
      FrameGuard.refuse(
          p,
          ErrorCode.INVALID_MESSAGE,
          "Binary frames are not accepted: send JSON text frames",
          null);
    }
  }

  @Override
  public void onWebsocketPing(WebSocket conn, Framedata f) {
    Peer p = conn.getAttachment();
    if (p == null || p.agentId == null || core.hooks.answersProtocolPings(p.agentId)) {
      super.onWebsocketPing(conn, f);
    }
  }

  @Override
  public void onError(WebSocket conn, Exception ex) {
    // Java-WebSocket wraps an Error of its threads (OutOfMemoryError, StackOverflowError,
    // LinkageError) in an
    // Exception and then stops the server for good: the process must not live on without its port.
    if (ex != null && ex.getCause() instanceof Error error) {
      core.fatal(error);
      return;
    }
    if (conn == null) {
      if (started.getCount() > 0) {
        startFailure.set(ex);
        started.countDown();
      } else {
        LOG.error("WebSocket server error", ex);
      }
      return;
    }
    Peer p = conn.getAttachment();
    if (p != null && ex instanceof LimitExceededException) {
      // Called by Java-WebSocket right before it closes with 1009 (see LimitedDraft).
      FrameGuard.refuse(p, ErrorCode.RESOURCE_EXHAUSTED, ex.getMessage(), null);
      p.closing = true;
      return;
    }
    LOG.debug("WebSocket error on {}", p == null ? conn : p.describe(), ex);
  }
}
