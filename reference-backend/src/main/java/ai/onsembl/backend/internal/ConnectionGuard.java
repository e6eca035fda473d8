package ai.onsembl.backend.internal;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketAdapter;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.WebSocketServerFactory;
import org.java_websocket.WrappedByteChannel;
import org.java_websocket.drafts.Draft;
import org.java_websocket.enums.ReadyState;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.server.DefaultWebSocketServerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission control for the WebSocket port, in front of Java-WebSocket's own factory (which it
 * delegates to, plain or TLS). Java-WebSocket never closes a connection that does not finish its
 * upgrade, and when {@code accept()} fails with "Too many open files" it closes its listening
 * socket for good. So:
 *
 * <ul>
 *   <li>a connection that has not been upgraded and authenticated within the handshake deadline is
 *       closed;
 *   <li>connections not yet authenticated are capped in total and per remote address;
 *   <li>a connection accepted while the process is close to its file-descriptor limit is closed at
 *       once, so the library's next {@code accept()} still finds a free descriptor.
 * </ul>
 *
 * <p>A refused connection is closed by Java-WebSocket itself: {@link #wrapChannel} throws and the
 * library closes that socket (not the listening one).
 */
final class ConnectionGuard implements WebSocketServerFactory {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
  private static final long WARN_EVERY_NANOS = Duration.ofSeconds(10).toNanos();

  private record Pending(InetAddress address, long acceptedNanos) {}

  private volatile WebSocketServerFactory delegate = new DefaultWebSocketServerFactory();
  private final int maxPending;
  private final int maxPendingPerAddress;
  private final long deadlineNanos;
  private final FdBudget fds;
  private final Map<WebSocket, Pending> pending = new ConcurrentHashMap<>();
  private final Map<InetAddress, Integer> perAddress = new HashMap<>();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong timedOut = new AtomicLong();
  private volatile long lastWarnNanos = System.nanoTime() - WARN_EVERY_NANOS;

  /**
   * Closes the connections whose peer went away (see {@link PlainConnectionChannel}), in order, on
   * one thread that exists only while there is something to close.
   */
  /** Empties the selector's selected-key set after each round (see SelectedKeysSweep). */
  final SelectedKeysSweep sweep = new SelectedKeysSweep();

  private final ThreadPoolExecutor closer =
      new ThreadPoolExecutor(
          0,
          1,
          5,
          TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(),
          r -> {
            Thread t = new Thread(r, "onsembl-backend-eof");
            t.setDaemon(true);
            return t;
          });

  ConnectionGuard(
      int maxPending, int maxPendingPerAddress, Duration handshakeDeadline, FdBudget fds) {
    this.maxPending = maxPending;
    this.maxPendingPerAddress = maxPendingPerAddress;
    this.deadlineNanos = handshakeDeadline.toNanos();
    this.fds = fds;
  }

  /** The factory that creates and wraps the connections this guard admits (TLS or plain). */
  void delegateTo(WebSocketServerFactory factory) {
    this.delegate = factory;
  }

  @Override
  public WebSocketImpl createWebSocket(WebSocketAdapter a, Draft d) {
    return delegate.createWebSocket(a, d);
  }

  @Override
  public WebSocketImpl createWebSocket(WebSocketAdapter a, List<Draft> drafts) {
    return delegate.createWebSocket(a, drafts);
  }

  @Override
  public ByteChannel wrapChannel(SocketChannel channel, SelectionKey key) throws IOException {
    InetAddress address = addressOf(channel.getRemoteAddress());
    String refusal = admit(address);
    if (refusal != null) {
      refused.incrementAndGet();
      long now = System.nanoTime();
      if (now - lastWarnNanos >= WARN_EVERY_NANOS) {
        lastWarnNanos = now;
        LOG.warn("Refusing WebSocket connections ({} so far): {}", refused.get(), refusal);
      }
      throw new IOException(refusal); // Java-WebSocket closes this socket, not the listening one
    }
    Object attachment = key.attachment();
    if (attachment instanceof WebSocket ws) {
      pending.put(ws, new Pending(address, System.nanoTime()));
    } else {
      release(address);
    }
    try {
      ByteChannel wrapped = delegate.wrapChannel(channel, key);
      // A plain socket: its end of stream is closed off the selector thread, its queued frames
      // go out together, and it sweeps the selected keys after a round (see
      // PlainConnectionChannel, SelectedKeysSweep). TLS channels are the library's own, and
      // take their turn at the sweep (SweepingTlsChannel).
      if (wrapped == channel && attachment instanceof WebSocketImpl impl) {
        return new PlainConnectionChannel(channel, key, impl, closer, sweep);
      }
      return wrapped instanceof WrappedByteChannel tls
          ? new SweepingTlsChannel(tls, key, sweep)
          : wrapped;
    } catch (IOException | RuntimeException e) {
      if (attachment instanceof WebSocket ws) {
        authenticated(ws);
      }
      throw e;
    }
  }

  private synchronized String admit(InetAddress address) {
    if (fds.nearLimit()) {
      return "too close to the open-file limit (" + fds.max() + " descriptors)";
    }
    int total = 0;
    for (int n : perAddress.values()) {
      total += n;
    }
    if (total >= maxPending) {
      return "too many connections not yet authenticated (limit " + maxPending + ")";
    }
    int mine = perAddress.getOrDefault(address, 0);
    if (mine >= maxPendingPerAddress) {
      return "too many connections not yet authenticated from "
          + address.getHostAddress()
          + " (limit "
          + maxPendingPerAddress
          + ")";
    }
    perAddress.put(address, mine + 1);
    return null;
  }

  private synchronized void release(InetAddress address) {
    perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
  }

  /**
   * The connection was upgraded and authenticated (or refused and is closing): it no longer counts.
   */
  void authenticated(WebSocket ws) {
    Pending p = pending.remove(ws);
    if (p != null) {
      release(p.address());
    }
  }

  /**
   * Closes connections past the handshake deadline and forgets closed ones; run about once a
   * second.
   */
  void sweep() {
    long now = System.nanoTime();
    for (Map.Entry<WebSocket, Pending> e : pending.entrySet()) {
      WebSocket ws = e.getKey();
      if (ws.getReadyState() == ReadyState.CLOSED) {
        authenticated(ws);
      } else if (ws instanceof WebSocketImpl impl && impl.isFlushAndClose()) {
        // Java-WebSocket refused the upgrade request (malformed, too large) and answered it, but it
        // only
        // ever closes such a connection once a draft was chosen: close it here.
        authenticated(ws);
        impl.closeConnection(CloseFrame.PROTOCOL_ERROR, "Upgrade request refused");
      } else if (now - e.getValue().acceptedNanos() >= deadlineNanos) {
        authenticated(ws);
        timedOut.incrementAndGet();
        LOG.info(
            "Closing a connection from {} that did not upgrade and authenticate within {} ms",
            e.getValue().address().getHostAddress(),
            Duration.ofNanos(deadlineNanos).toMillis());
        ws.closeConnection(CloseFrame.ABNORMAL_CLOSE, "Handshake not completed in time");
      }
    }
  }

  /** The connections accepted but not yet authenticated (a copy). */
  List<WebSocket> pendingConnections() {
    return List.copyOf(pending.keySet());
  }

  /** Connections accepted but not yet authenticated. */
  int pendingCount() {
    return pending.size();
  }

  long refusedCount() {
    return refused.get();
  }

  long timedOutCount() {
    return timedOut.get();
  }

  @Override
  public void close() {
    closer.shutdown(); // closes what is queued, then its thread ends; later ends of stream are
    // closed by the library itself (PlainConnectionChannel)
    delegate.close();
  }

  private static InetAddress addressOf(SocketAddress remote) throws IOException {
    if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
      return inet.getAddress();
    }
    throw new IOException("connection without a remote address");
  }

  /**
   * The process's open descriptors against its limit, counted cheaply: the real count is read at
   * most every 100 ms (it lists /proc/self/fd), and every admission in between counts as one more.
   */
  static final class FdBudget {
    private static final long REFRESH_NANOS = Duration.ofMillis(100).toNanos();
    private final com.sun.management.UnixOperatingSystemMXBean os;
    private final long max;
    private final long reserve;
    private long counted;
    private long countedAtNanos;
    private long since;

    FdBudget() {
      var bean = ManagementFactory.getOperatingSystemMXBean();
      this.os = bean instanceof com.sun.management.UnixOperatingSystemMXBean unix ? unix : null;
      this.max = os == null ? -1 : os.getMaxFileDescriptorCount();
      this.reserve = Math.max(32, max / 16);
      this.countedAtNanos = System.nanoTime() - REFRESH_NANOS;
    }

    long max() {
      return max;
    }

    /** Called once per connection about to be admitted (under the guard's lock). */
    boolean nearLimit() {
      if (os == null || max <= 0) {
        return false;
      }
      long now = System.nanoTime();
      if (now - countedAtNanos >= REFRESH_NANOS) {
        counted = os.getOpenFileDescriptorCount();
        countedAtNanos = now;
        since = 0;
      }
      since++;
      return counted + since > max - reserve;
    }
  }
}
