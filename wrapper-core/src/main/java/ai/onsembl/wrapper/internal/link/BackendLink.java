package ai.onsembl.wrapper.internal.link;

import ai.onsembl.protocol.Ack;
import ai.onsembl.protocol.AgentConnect;
import ai.onsembl.protocol.AgentDisconnect;
import ai.onsembl.protocol.AgentHeartbeat;
import ai.onsembl.protocol.HealthMetrics;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.protocol.Payload;
import ai.onsembl.protocol.Ping;
import ai.onsembl.protocol.Pong;
import ai.onsembl.protocol.ProtocolCodec;
import ai.onsembl.protocol.ProtocolException;
import ai.onsembl.wrapper.AgentExitException;
import ai.onsembl.wrapper.Outbound;
import ai.onsembl.wrapper.command.CommandHandler;
import ai.onsembl.wrapper.internal.Log;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import org.java_websocket.exceptions.WebsocketNotConnectedException;

/**
 * The wrapper's link to the backend: connect with the token in query and header, AGENT_CONNECT first,
 * adopt the ACK's agent id, heartbeats (with the TypeScript backend's fallback), PONG at once to every PING,
 * WebSocket pings to find a half-open link, reconnect with full-jitter backoff, and the bounded outbound
 * queue replayed in order after every AGENT_CONNECT+ACK.
 *
 * <p>Threading: all connection state lives on one scheduler thread ({@code onsembl-link}); socket
 * callbacks only hand events to it (PONG is the exception: it is sent from the socket's thread at once).
 * Reconnects are therefore never started on a socket's own thread. {@link #send} is safe from any thread.
 */
public final class BackendLink implements Outbound {
  private static final ProtocolCodec CODEC = ProtocolCodec.standard();
  private static final int CLOSE_AUTH_FAILED = 4401;

  private final LinkSettings settings;
  private final LinkListener listener;
  private final Function<String, AgentConnect> connectPayload;
  private final Supplier<HealthMetrics> metrics;
  private final ScheduledExecutorService exec;
  private final OutboundQueue queue;
  /** Written to the current socket, not yet proven read by the backend (replayed if the socket dies). */
  private final UnconfirmedFrames unconfirmed;
  private final ReconnectPolicy reconnects;
  private final Log log;
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final LinkSocket.Events events = new SocketEvents();
  private final ServerFrames frames;
  private volatile CommandHandler handler;
  private volatile String agentId;
  private volatile String token;
  private volatile boolean closing;
  private volatile boolean fatal;
  private volatile long lastReceivedNanos;
  private volatile LinkSocket current;
  private volatile boolean acked;

  // confined to the link thread
  private String connectMessageId;
  private long intervalMillis;
  private boolean heartbeatsOn;
  private boolean heartbeatFallbackLogged;
  private boolean everOnline;
  private boolean closeSent;
  private final Deque<String> heartbeatIds = new ArrayDeque<>();
  private ScheduledFuture<?> heartbeatTask;
  private ScheduledFuture<?> livenessTask;
  private ScheduledFuture<?> connectDeadline;
  private ScheduledFuture<?> reconnectTask;
  private volatile String goodbyeId;
  private CompletableFuture<Boolean> goodbyeDone;

  public BackendLink(LinkSettings settings, LinkListener listener, Function<String, AgentConnect> connectPayload,
      Supplier<HealthMetrics> metrics, Random random) {
    this.settings = settings;
    this.listener = listener;
    this.connectPayload = connectPayload;
    this.metrics = metrics;
    this.agentId = settings.agentId();
    this.token = settings.token();
    this.queue = new OutboundQueue(settings.maxQueuedFrames(), settings.maxQueuedBytes());
    this.unconfirmed = new UnconfirmedFrames(settings.maxQueuedBytes());
    this.reconnects = new ReconnectPolicy(new Backoff(settings.reconnectMin(), settings.reconnectMax(), random),
        settings.heldBeforeReset(), settings.giveUpAfter());
    this.log = new Log(BackendLink.class, () -> agentId);
    this.frames = new ServerFrames(log, listener, () -> handler, heartbeatIds::contains, new ConnectionMatters());
    this.exec = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "onsembl-link");
      t.setDaemon(true);
      return t;
    });
  }

  /** Where COMMAND_REQUEST, COMMAND_CANCEL, EMERGENCY_STOP and AGENT_CONTROL PAUSE/RESUME go. */
  public void setCommandHandler(CommandHandler handler) {
    this.handler = handler;
  }

  /** Starts connecting; returns at once. */
  public void start() {
    execute(() -> {
      reconnects.started(System.nanoTime());
      connect();
    });
  }

  /** The agent id in use: the configured one until the backend assigns another in its ACK. */
  public String agentId() {
    return agentId;
  }

  /** True while a connection is open and its AGENT_CONNECT was acknowledged. */
  public boolean isOnline() {
    return acked && current != null;
  }

  /** The endpoint, without the query that carries the token. */
  public URI endpoint() {
    return settings.endpoint();
  }

  public OutboundQueue queue() {
    return queue;
  }

  @Override
  public boolean send(Payload payload) {
    if (fatal || goodbyeId != null) {
      return false;
    }
    Message m = Message.of(payload);
    if (!queue.offer(m, CODEC.encode(m))) {
      return false;
    }
    if (drainScheduled.compareAndSet(false, true)) {
      execute(this::drain);
    }
    return true;
  }

  /**
   * Shutdown: queues {@code goodbye} behind everything already queued, sends it all, then closes with
   * 1000 and waits for the close, at most {@code timeout}. True when AGENT_DISCONNECT went out and the close
   * handshake finished; false when there was no acknowledged connection or time ran out.
   */
  public boolean goodbye(AgentDisconnect goodbye, Duration timeout) {
    closing = true;
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    if (!execute(() -> beginGoodbye(goodbye, done))) {
      return false;
    }
    try {
      return done.get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.warn("goodbye not confirmed within " + timeout.toMillis() + " ms; dropping the connection");
      LinkSocket s = current;
      if (s != null) {
        s.abort("flush timeout");
      }
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (Exception e) {
      return false;
    }
  }

  /** Escalation path: from any thread, sends {@code goodbye} straight on the open socket and closes it. */
  public void goodbyeNow(AgentDisconnect goodbye) {
    closing = true;
    LinkSocket s = current;
    if (s != null && s.isOpen()) {
      try {
        s.send(CODEC.encode(Message.of(goodbye)));
        s.close(1000, "Shutdown");
      } catch (RuntimeException e) {
        // best effort only
      }
    }
  }

  /** Stops everything at once: no more reconnects, the socket dropped, the link thread ended. */
  public void shutdown() {
    closing = true;
    LinkSocket s = current;
    if (s != null && !s.isClosed()) {
      s.abort("wrapper stopped");
    }
    exec.shutdownNow();
  }

  private boolean execute(Runnable r) {
    try {
      exec.execute(() -> {
        try {
          r.run();
        } catch (RuntimeException e) {
          log.error("link error", e);
        }
      });
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  private ScheduledFuture<?> schedule(Runnable r, long millis) {
    try {
      return exec.schedule(() -> {
        try {
          r.run();
        } catch (RuntimeException e) {
          log.error("link error", e);
        }
      }, Math.max(0, millis), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      return null;
    }
  }

  private static void cancel(ScheduledFuture<?> f) {
    if (f != null) {
      f.cancel(false);
    }
  }

  // ---- connecting --------------------------------------------------------------------------------

  private void connect() {
    if (closing || fatal) {
      return;
    }
    Map<String, String> headers = token == null ? Map.of() : Map.of("Authorization", "Bearer " + token);
    LinkSocket s = new LinkSocket(uriWithQuery(), headers, (int) settings.connectTimeout().toMillis(), events);
    current = s;
    acked = false;
    connectMessageId = null;
    closeSent = false;
    heartbeatsOn = true;
    heartbeatIds.clear();
    intervalMillis = settings.heartbeatInterval().toMillis();
    lastReceivedNanos = System.nanoTime();
    log.debug("connecting to " + settings.endpoint());
    connectDeadline = schedule(() -> {
      if (current == s && !acked) {
        s.abort("no ACK for AGENT_CONNECT within " + settings.connectTimeout().toMillis() + " ms");
      }
    }, settings.connectTimeout().toMillis());
    try {
      s.connect();
    } catch (RuntimeException e) {
      handleClosed(s, -1, String.valueOf(e.getMessage()));
    }
  }

  private URI uriWithQuery() {
    URI base = settings.endpoint();
    StringBuilder q = new StringBuilder();
    if (agentId != null) {
      q.append("agentId=").append(URLEncoder.encode(agentId, StandardCharsets.UTF_8));
    }
    if (token != null) {
      q.append(q.length() == 0 ? "" : "&").append("token=").append(URLEncoder.encode(token, StandardCharsets.UTF_8));
    }
    String s = base.toString();
    if (q.length() == 0) {
      return base;
    }
    return URI.create(s + (base.getRawQuery() == null ? "?" : "&") + q);
  }

  private void handleOpened(LinkSocket s) {
    if (s != current) {
      return;
    }
    Message m = new Message(MessageType.AGENT_CONNECT, "connect-" + UUID.randomUUID(), System.currentTimeMillis(),
        connectPayload.apply(agentId));
    connectMessageId = m.id();
    sendNow(s, m);
  }

  private void handleAck(LinkSocket s, Ack ack) {
    if (acked) {
      return;
    }
    boolean forConnect = connectMessageId != null
        && (connectMessageId.equals(ack.messageId()) || (ack.messageId() == null && ack.agentId() != null));
    if (!forConnect) {
      return;
    }
    if (Boolean.FALSE.equals(ack.success())) {
      log.warn("backend refused AGENT_CONNECT (ACK success=false); reconnecting");
      s.abort("AGENT_CONNECT refused");
      return;
    }
    acked = true;
    reconnects.connected(System.nanoTime());
    cancel(connectDeadline);
    String assigned = ack.agentId();
    if (assigned != null && !assigned.isBlank() && !assigned.equals(agentId)) {
      log.info("backend assigned agent id " + assigned + " (was " + agentId + ")");
      agentId = assigned;
    }
    boolean first = !everOnline;
    everOnline = true;
    scheduleTimers();
    listener.online(agentId, first);
    drain();
  }

  private void handleClosed(LinkSocket s, int code, String reason) {
    if (s != current) {
      return;
    }
    current = null;
    List<OutboundQueue.Entry> replay = unconfirmed.takeForReplay();
    if (!replay.isEmpty() && goodbyeDone == null && !closing && !fatal) {
      queue.requeueFront(replay);
      log.info("the connection ended with " + replay.size() + " frame(s) not yet confirmed by the backend;"
          + " they are replayed after the next AGENT_CONNECT");
    }
    boolean wasAcked = acked;
    acked = false;
    cancel(heartbeatTask);
    cancel(livenessTask);
    cancel(connectDeadline);
    if (goodbyeDone != null) {
      goodbyeDone.complete(closeSent);
      return;
    }
    if (closing || fatal) {
      return;
    }
    String detail = s.lastErrorText();
    if ((code == -1 || code == 1006) && detail != null && !reason.contains(String.valueOf(s.lastError.getMessage()))) {
      // e.g. a certificate the trust store does not accept: say so instead of "connection failed"
      reason = reason.isBlank() ? detail : reason + "; " + detail;
    }
    String why = describe(code, reason);
    if (code == CLOSE_AUTH_FAILED || isHttpAuthRefusal(reason)) {
      fail(AgentExitException.authRejected("backend " + settings.endpoint() + " refused authentication: "
          + (reason.isBlank() ? "close " + code : reason)));
      return;
    }
    if (wasAcked) {
      reconnects.lost(System.nanoTime());
      log.warn("connection to " + settings.endpoint() + " lost (" + why + "); reconnecting");
      listener.reconnecting(why);
    }
    scheduleReconnect(why);
  }

  private void scheduleReconnect(String why) {
    long now = System.nanoTime();
    int attempt = reconnects.nextAttempt();
    long delay = reconnects.nextDelayMillis(now);
    if (delay == ReconnectPolicy.GIVE_UP) {
      fail(AgentExitException.unreachable("backend " + settings.endpoint() + " unreachable for "
          + reconnects.downMillis(now) + " ms (--give-up-after " + reconnects.giveUpAfter().toMillis()
          + " ms); last error: " + why));
      return;
    }
    log.info("backend " + settings.endpoint() + " not connected (" + why + "); attempt " + (attempt + 1) + " in "
        + delay + " ms");
    reconnectTask = schedule(this::connect, delay);
  }

  private void fail(AgentExitException e) {
    if (fatal) {
      return;
    }
    fatal = true;
    closing = true;
    cancel(reconnectTask);
    cancel(heartbeatTask);
    cancel(livenessTask);
    LinkSocket s = current;
    if (s != null && !s.isClosed()) {
      s.close(1000, "Giving up");
    }
    log.error(e.getMessage(), null);
    listener.fatal(e);
  }

  private static boolean isHttpAuthRefusal(String reason) {
    // Java-WebSocket reports a refused upgrade as "Invalid status code received: 401 Status line: …".
    return reason != null && (reason.contains("status code received: 401") || reason.contains("status code received: 403"));
  }

  private static String describe(int code, String reason) {
    if (code == -1 || code == 1006) {
      return reason.isBlank() ? "connection failed" : reason;
    }
    return "close " + code + (reason.isBlank() ? "" : " " + reason);
  }

  // ---- connected ---------------------------------------------------------------------------------

  private void scheduleTimers() {
    cancel(heartbeatTask);
    cancel(livenessTask);
    if (heartbeatsOn) {
      heartbeatTask = scheduleRepeating(this::heartbeat, intervalMillis);
    }
    livenessTask = scheduleRepeating(this::checkLiveness, Math.max(50, intervalMillis / 2));
  }

  private ScheduledFuture<?> scheduleRepeating(Runnable r, long periodMillis) {
    try {
      return exec.scheduleAtFixedRate(() -> {
        try {
          r.run();
        } catch (RuntimeException e) {
          log.error("link error", e);
        }
      }, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      return null;
    }
  }

  private void heartbeat() {
    LinkSocket s = current;
    if (s == null || !acked || !heartbeatsOn || goodbyeDone != null) {
      return;
    }
    Message m = Message.of(new AgentHeartbeat(agentId, metrics.get()));
    heartbeatIds.addLast(m.id());
    while (heartbeatIds.size() > 16) {
      heartbeatIds.removeFirst();
    }
    sendNow(s, m);
  }

  private void checkLiveness() {
    LinkSocket s = current;
    if (s == null || !acked) {
      return;
    }
    long silentMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastReceivedNanos);
    if (silentMillis > 2 * intervalMillis) {
      log.warn("no frame from the backend for " + silentMillis + " ms (2 intervals of " + intervalMillis
          + " ms); the link is half-open, reconnecting");
      s.abort("half-open: silent for " + silentMillis + " ms");
      return;
    }
    pingNow(s);
  }

  /** A WebSocket ping; its pong confirms every frame written before it (see UnconfirmedFrames). */
  private void pingNow(LinkSocket s) {
    try {
      s.sendPing();
      unconfirmed.pingSent();
    } catch (RuntimeException e) {
      // closing; onClose follows
    }
  }

  private void drain() {
    drainScheduled.set(false);
    LinkSocket s = current;
    if (s == null || !acked) {
      return;
    }
    OutboundQueue.Entry e;
    while ((e = queue.peek()) != null) {
      try {
        s.send(e.text());
      } catch (WebsocketNotConnectedException ex) {
        return;
      }
      queue.removeHead(e);
      // confirmed by the pong of the next liveness ping, or sooner after a large batch
      if (unconfirmed.written(e) && unconfirmed.pingDue()) {
        pingNow(s);
      }
    }
    if (goodbyeDone != null && !closeSent && !queue.contains(goodbyeId)) {
      closeSent = true;
      s.close(1000, "Graceful shutdown");
    }
  }

  private void beginGoodbye(AgentDisconnect goodbye, CompletableFuture<Boolean> done) {
    cancel(reconnectTask);
    cancel(heartbeatTask);
    LinkSocket s = current;
    if (s != null && !acked && s.isOpen() && connectMessageId != null) {
      // Stopped during the handshake: AGENT_CONNECT is out, the ACK not yet in. Say goodbye right behind it
      // (queued output waits for an ACK and is not replayed on this connection).
      Message m = Message.of(goodbye);
      goodbyeId = m.id();
      goodbyeDone = done;
      sendNow(s, m);
      closeSent = true;
      s.close(1000, "Graceful shutdown");
      return;
    }
    if (s == null || !acked) {
      if (s != null) {
        s.close(1000, "Shutdown");
      }
      done.complete(false);
      return;
    }
    Message m = Message.of(goodbye);
    queue.offer(m, CODEC.encode(m));
    goodbyeId = m.id();
    goodbyeDone = done;
    drain();
  }

  private void sendNow(LinkSocket s, Message m) {
    try {
      s.send(CODEC.encode(m));
    } catch (WebsocketNotConnectedException e) {
      // the close callback follows
    }
  }

  private void handleMessage(LinkSocket s, Message m) {
    if (s != current) {
      return;
    }
    frames.handle(m);
  }

  /** Connection matters found in server frames; called on the link thread for the current socket. */
  private final class ConnectionMatters implements ServerFrames.Connection {
    @Override
    public void ack(Ack ack) {
      LinkSocket s = current;
      if (s != null) {
        handleAck(s, ack);
      }
    }

    @Override
    public void serverInterval(long millis) {
      if (millis != intervalMillis) {
        log.debug("backend expects a heartbeat every " + millis + " ms");
        intervalMillis = millis;
        if (acked) {
          scheduleTimers();
        }
      }
    }

    @Override
    public void authRefused(String message) {
      fail(AgentExitException.authRejected("backend " + settings.endpoint() + " refused authentication: " + message));
    }

    @Override
    public void heartbeatUnknown() {
      if (!heartbeatsOn) {
        return;
      }
      heartbeatsOn = false;
      cancel(heartbeatTask);
      String line = "backend does not know AGENT_HEARTBEAT (TypeScript backend); living on PING/PONG on this connection";
      if (heartbeatFallbackLogged) {
        log.debug(line);
      } else {
        heartbeatFallbackLogged = true;
        log.info(line);
      }
    }

    @Override
    public void tokenRefreshed(String t) {
      token = t;
      log.info("token refreshed; used from the next reconnect");
    }
  }

  private final class SocketEvents implements LinkSocket.Events {
    @Override
    public void opened(LinkSocket s) {
      lastReceivedNanos = System.nanoTime();
      execute(() -> handleOpened(s));
    }

    @Override
    public void text(LinkSocket s, String text) {
      lastReceivedNanos = System.nanoTime();
      Message m;
      try {
        m = CODEC.decode(text);
      } catch (ProtocolException pe) {
        // Visible at the default level once per connection (a garbage-spewing backend must show in the log),
        // then at debug so it cannot flood it.
        if (s.firstBadFrame()) {
          log.warn("bad frame from the backend (further ones on this connection at debug): " + pe.getMessage());
        } else {
          log.debug("bad frame from the backend: " + pe.getMessage());
        }
        try {
          s.send(CODEC.encode(Message.of(pe.toErrorPayload())));
        } catch (RuntimeException ignored) {
          // closing
        }
        return;
      }
      if (m.type() == MessageType.PING) {
        // At once, from this thread: a busy link thread must never delay a PONG.
        Ping ping = (Ping) m.payload();
        sendNow(s, Message.of(new Pong(ping.timestamp() != null ? ping.timestamp() : m.timestamp())));
        return;
      }
      execute(() -> handleMessage(s, m));
    }

    @Override
    public void received(LinkSocket s) {
      lastReceivedNanos = System.nanoTime();
      execute(() -> {
        if (s == current) {
          unconfirmed.pongReceived();
        }
      });
    }

    @Override
    public void closed(LinkSocket s, int code, String reason, boolean remote) {
      execute(() -> handleClosed(s, code, reason));
    }
  }
}
