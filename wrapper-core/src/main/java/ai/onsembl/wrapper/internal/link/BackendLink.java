package ai.onsembl.wrapper.internal.link;

import ai.onsembl.protocol.Ack;
import ai.onsembl.protocol.AgentConnect;
import ai.onsembl.protocol.AgentDisconnect;
import ai.onsembl.protocol.AgentHeartbeat;
import ai.onsembl.protocol.HealthMetrics;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.Payload;
import ai.onsembl.wrapper.AgentExitException;
import ai.onsembl.wrapper.Outbound;
import ai.onsembl.wrapper.TokenSource;
import ai.onsembl.wrapper.command.CommandHandler;
import ai.onsembl.wrapper.internal.Log;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The wrapper's link to the backend across connections: reconnects with full-jitter backoff (and
 * giving up), the bounded outbound queue ({@link OutboundQueue}: the one place the backlog is
 * bounded) written in order to the acknowledged connection and replayed after every
 * AGENT_CONNECT+ACK, the agent id the backend assigned, the token used on each connect (refreshed
 * by TOKEN_REFRESH), and the goodbye. Everything about one connection (handshake, ACK deadline,
 * heartbeats, PONGs, liveness, pong-confirmed frames) is in {@link LinkConnection}; frames are
 * encoded and decoded only in {@link LinkCodec}.
 *
 * <p>Threading: all state changes happen on the link thread ({@link LinkThread}); socket callbacks
 * only hand events to it. Reconnects are therefore never started on a socket's own thread. {@link
 * #send} is safe from any thread.
 */
public final class BackendLink implements Outbound {
  private static final int CLOSE_AUTH_FAILED = 4401;

  private final LinkSettings settings;
  private final LinkListener listener;
  private final Function<String, AgentConnect> connectPayload;
  private final Supplier<HealthMetrics> metrics;
  private final LinkThread thread;
  private final OutboundQueue queue;
  private final ReconnectPolicy reconnects;
  private final Log log;
  private final AtomicBoolean drainScheduled = new AtomicBoolean();

  /** How soon a drain that found the socket's window full looks again. */
  private static final long DRAIN_RETRY_MILLIS = 2;

  /** Longest wait in {@link #awaitRoom} before the condition is checked again without a wake-up. */
  private static final long ROOM_RECHECK_MILLIS = 50;

  private final Object room = new Object();
  private int roomWaiters; // guarded by room
  private final AtomicLong refusedAfterGoodbye = new AtomicLong();
  private final ServerFrames frames;
  private final LinkConnection.Owner owner = new ConnectionEvents();
  private volatile CommandHandler handler;
  private volatile String agentId;
  private volatile String token;
  private volatile TokenSource tokenSource;
  private volatile boolean closing;
  private volatile boolean fatal;

  /**
   * The connection of the current attempt (null between attempts); written on the link thread only.
   */
  private volatile LinkConnection current;

  private volatile String goodbyeId;

  // link thread only
  private boolean heartbeatFallbackLogged;
  private boolean everOnline;
  private ScheduledFuture<?> reconnectTask;
  private CompletableFuture<Boolean> goodbyeDone;
  private volatile long goodbyeDeadlineNanos;

  public BackendLink(
      LinkSettings settings,
      LinkListener listener,
      Function<String, AgentConnect> connectPayload,
      Supplier<HealthMetrics> metrics,
      Random random) {
    this.settings = settings;
    this.listener = listener;
    this.connectPayload = connectPayload;
    this.metrics = metrics;
    this.agentId = settings.agentId();
    this.token = settings.token();
    this.queue = new OutboundQueue(settings.maxQueuedFrames(), settings.maxQueuedBytes());
    this.reconnects =
        new ReconnectPolicy(
            new Backoff(settings.reconnectMin(), settings.reconnectMax(), random),
            settings.heldBeforeReset(),
            settings.giveUpAfter());
    this.log = new Log(BackendLink.class, () -> agentId);
    this.frames =
        new ServerFrames(
            log, listener, () -> handler, this::isHeartbeatId, new ConnectionMatters());
    this.thread = new LinkThread(log, this::internalError);
  }

  /** Where COMMAND_REQUEST, COMMAND_CANCEL, EMERGENCY_STOP and AGENT_CONTROL PAUSE/RESUME go. */
  public void setCommandHandler(CommandHandler handler) {
    this.handler = handler;
  }

  /**
   * Takes the token for every connect from {@code source} (asked before each connect and reconnect,
   * and told about TOKEN_REFRESH) instead of the configured one. Before {@link #start()}.
   */
  public void setTokenSource(TokenSource source) {
    this.tokenSource = source;
  }

  /** Starts connecting; returns at once. */
  public void start() {
    thread.execute(
        () -> {
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
    LinkConnection c = current;
    return c != null && c.isAcked();
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
      refused(payload);
      return false;
    }
    Message m = Message.of(payload);
    if (!queue.offer(m, LinkCodec.encodeUtf8(m))) {
      return false;
    }
    if (drainScheduled.compareAndSet(false, true)) {
      thread.execute(this::drain);
    }
    return true;
  }

  /**
   * Back-pressure for the threads that read the child's output: blocks while the backend is
   * connected and acknowledged but reads slower than the child writes, that is while the queue
   * holds more than half its bounds (the rest is headroom, so nothing is dropped while connected).
   * Returns at once while the link is down or connecting (output then waits in the bounded queue,
   * oldest dropped first, as without a backend), after the goodbye began, when the link gave up,
   * and when the caller is interrupted (its interrupt flag is set again). A backend that takes
   * nothing at all is dropped by the connection's stall check, which ends the wait.
   */
  @Override
  public void awaitRoom() {
    if (!mustWait()) {
      return;
    }
    synchronized (room) {
      roomWaiters++;
      try {
        while (mustWait()) {
          // Woken by the drain and by every change of the connection; the timeout is a safety net.
          room.wait(ROOM_RECHECK_MILLIS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        roomWaiters--;
      }
    }
  }

  private boolean mustWait() {
    if (fatal || closing || goodbyeId != null) {
      return false;
    }
    LinkConnection c = current;
    if (c == null || !c.isAcked()) {
      return false;
    }
    return queue.size() > settings.maxQueuedFrames() / 2
        || queue.bytes() > settings.maxQueuedBytes() / 2;
  }

  /** Wakes the threads waiting in {@link #awaitRoom} when there is room or nothing to wait for. */
  private void roomMaybe() {
    synchronized (room) {
      if (roomWaiters > 0 && !mustWait()) {
        room.notifyAll();
      }
    }
  }

  /**
   * Frames refused because the goodbye was said already (or the link gave up): none is dropped
   * unseen.
   */
  public long refusedAfterGoodbye() {
    return refusedAfterGoodbye.get();
  }

  private void refused(Payload payload) {
    long n = refusedAfterGoodbye.incrementAndGet();
    if (log.isDebugEnabled()) {
      String text = LinkCodec.encode(Message.of(payload));
      log.debug(
          "refused "
              + payload.type()
              + " of "
              + ai.onsembl.protocol.ProtocolCodec.utf8Bytes(text)
              + " bytes: the link "
              + (fatal ? "gave up" : "said goodbye")
              + " already ("
              + n
              + " refused so far)");
    }
  }

  /** An Error on the link's thread or a socket's: logged here, then the wrapper hears of it. */
  private void internalError(Throwable e) {
    try {
      log.error("internal error on the backend link", e);
    } catch (Throwable ignored) {
      // out of memory, perhaps: the listener matters more
    }
    listener.internalError(e);
  }

  /**
   * Shutdown: queues {@code goodbye} behind everything already queued, sends it all, then closes
   * with 1000 and waits for the close, at most {@code timeout}. True when AGENT_DISCONNECT went out
   * and the close handshake finished; false when there was no acknowledged connection or time ran
   * out.
   */
  public boolean goodbye(AgentDisconnect goodbye, Duration timeout) {
    closing = true;
    roomMaybe();
    goodbyeDeadlineNanos = System.nanoTime() + timeout.toNanos();
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    if (!thread.execute(() -> beginGoodbye(goodbye, done))) {
      return false;
    }
    try {
      return done.get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.warn(
          "goodbye not confirmed within " + timeout.toMillis() + " ms; dropping the connection");
      LinkConnection c = current;
      if (c != null) {
        c.abort("flush timeout");
      }
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (Exception e) {
      return false;
    }
  }

  /**
   * Escalation path: from any thread, sends {@code goodbye} straight on the open socket and closes
   * it.
   */
  public void goodbyeNow(AgentDisconnect goodbye) {
    closing = true;
    roomMaybe();
    LinkConnection c = current;
    if (c != null && c.isOpen()) {
      try {
        c.sendNow(Message.of(goodbye));
        c.close("Shutdown");
      } catch (RuntimeException e) {
        // best effort only
      }
    }
  }

  /** Stops everything at once: no more reconnects, the socket dropped, the link thread ended. */
  public void shutdown() {
    closing = true;
    roomMaybe();
    LinkConnection c = current;
    if (c != null && !c.isClosed()) {
      c.abort("wrapper stopped");
    }
    thread.shutdownNow();
  }

  // ---- connecting
  // --------------------------------------------------------------------------------

  /**
   * The token for the next connect: the token source's (which may refresh a saved login first),
   * else the configured one or the last TOKEN_REFRESH. Read once per connect.
   */
  private String tokenForConnect() {
    TokenSource source = tokenSource;
    return source != null ? source.tokenForConnect() : token;
  }

  private void connect() {
    if (closing || fatal) {
      return;
    }
    String t;
    try {
      t = tokenForConnect();
    } catch (AgentExitException e) {
      fail(e);
      return;
    }
    Map<String, String> headers = t == null ? Map.of() : Map.of("Authorization", "Bearer " + t);
    LinkConnection c =
        new LinkConnection(
            uriWithAgentId(),
            headers,
            settings,
            settings.maxQueuedBytes(),
            () -> connectPayload.apply(agentId),
            () -> new AgentHeartbeat(agentId, metrics.get()),
            thread,
            log,
            owner);
    current = c;
    log.debug("connecting to " + settings.endpoint());
    c.open();
  }

  /**
   * The endpoint with {@code ?agentId=}. The token goes in the Authorization header only: a URL
   * ends up in proxy and server access logs (the TypeScript backend reads the header first).
   */
  private URI uriWithAgentId() {
    URI base = settings.endpoint();
    if (agentId == null) {
      return base;
    }
    String q = "agentId=" + URLEncoder.encode(agentId, StandardCharsets.UTF_8);
    return URI.create(base + (base.getRawQuery() == null ? "?" : "&") + q);
  }

  private void online(LinkConnection c, String assigned) {
    reconnects.connected(System.nanoTime());
    if (assigned != null && !assigned.isBlank() && !assigned.equals(agentId)) {
      log.info("backend assigned agent id " + assigned + " (was " + agentId + ")");
      agentId = assigned;
    }
    boolean first = !everOnline;
    everOnline = true;
    listener.online(agentId, first);
    drain();
  }

  private void closed(LinkConnection c, int code, String reason) {
    current = null;
    roomMaybe();
    boolean wasAcked = c.wasAcked();
    List<OutboundQueue.Entry> replay = c.takeUnconfirmed();
    if (!replay.isEmpty() && goodbyeDone == null && !closing && !fatal) {
      queue.requeueFront(replay);
      log.info(
          "the connection ended with "
              + replay.size()
              + " frame(s) not yet confirmed by the backend;"
              + " they are replayed after the next AGENT_CONNECT");
    }
    if (goodbyeDone != null) {
      goodbyeDone.complete(c.goodbyeCloseBegun());
      return;
    }
    if (closing || fatal) {
      return;
    }
    String detail = c.lastErrorText();
    if ((code == -1 || code == 1006)
        && detail != null
        && !reason.contains(String.valueOf(c.lastErrorMessage()))) {
      // e.g. a certificate the trust store does not accept: say so instead of "connection failed"
      reason = reason.isBlank() ? detail : reason + "; " + detail;
    }
    String why = describe(code, reason);
    if (code == CLOSE_AUTH_FAILED || isHttpAuthRefusal(reason)) {
      fail(
          AgentExitException.authRejected(
              "backend "
                  + settings.endpoint()
                  + " refused authentication: "
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
      fail(
          AgentExitException.unreachable(
              "backend "
                  + settings.endpoint()
                  + " unreachable for "
                  + reconnects.downMillis(now)
                  + " ms (--give-up-after "
                  + reconnects.giveUpAfter().toMillis()
                  + " ms); last error: "
                  + why));
      return;
    }
    log.info(
        "backend "
            + settings.endpoint()
            + " not connected ("
            + why
            + "); attempt "
            + (attempt + 1)
            + " in "
            + delay
            + " ms");
    reconnectTask = thread.schedule(this::connect, delay);
  }

  private void fail(AgentExitException e) {
    if (fatal) {
      return;
    }
    fatal = true;
    closing = true;
    roomMaybe();
    LinkThread.cancel(reconnectTask);
    LinkConnection c = current;
    if (c != null) {
      c.stopHeartbeats();
      if (!c.isClosed()) {
        c.close("Giving up");
      }
    }
    log.error(e.getMessage(), null);
    listener.fatal(e);
  }

  private static boolean isHttpAuthRefusal(String reason) {
    // Java-WebSocket reports a refused upgrade as "Invalid status code received: 401 Status line:
    // …".
    return reason != null
        && (reason.contains("status code received: 401")
            || reason.contains("status code received: 403"));
  }

  private static String describe(int code, String reason) {
    if (code == -1 || code == 1006) {
      return reason.isBlank() ? "connection failed" : reason;
    }
    return "close " + code + (reason.isBlank() ? "" : " " + reason);
  }

  // ---- the queue and the goodbye
  // -----------------------------------------------------------------

  private void drain() {
    drainScheduled.set(false);
    LinkConnection c = current;
    if (c == null || !c.isAcked()) {
      return;
    }
    OutboundQueue.Entry e;
    try {
      while ((e = queue.peek()) != null) {
        if (!c.hasRoom()) {
          // The backend reads slower than frames come: look again shortly (the library tells
          // nobody when its writer took a frame); until then frames wait here, bounded.
          if (drainScheduled.compareAndSet(false, true)) {
            thread.schedule(this::drain, DRAIN_RETRY_MILLIS);
          }
          return;
        }
        if (!c.write(e)) {
          return;
        }
        queue.removeHead(e);
      }
    } finally {
      roomMaybe();
    }
    if (goodbyeDone != null && !c.goodbyeCloseBegun() && !queue.contains(goodbyeId)) {
      c.closeGracefully("Graceful shutdown", goodbyeCloseWaitMillis());
    }
  }

  private void beginGoodbye(AgentDisconnect goodbye, CompletableFuture<Boolean> done) {
    LinkThread.cancel(reconnectTask);
    LinkConnection c = current;
    if (c != null) {
      c.stopHeartbeats();
    }
    if (c != null && !c.isAcked() && c.handshakeSent()) {
      // Stopped during the handshake: AGENT_CONNECT is out, the ACK not yet in. Say goodbye right
      // behind it
      // (queued output waits for an ACK and is not replayed on this connection).
      Message m = Message.of(goodbye);
      goodbyeId = m.id();
      goodbyeDone = done;
      c.sendNow(m);
      c.closeGracefully("Graceful shutdown", goodbyeCloseWaitMillis());
      return;
    }
    if (c == null || !c.isAcked()) {
      if (c != null) {
        c.close("Shutdown");
      }
      done.complete(false);
      return;
    }
    Message m = Message.of(goodbye);
    queue.offer(m, LinkCodec.encodeUtf8(m));
    goodbyeId = m.id();
    goodbyeDone = done;
    drain();
  }

  /**
   * How long the goodbye's close frame may wait for the pong proving the backend read everything:
   * until shortly before the goodbye's deadline, which then drops the connection.
   */
  private long goodbyeCloseWaitMillis() {
    long left = TimeUnit.NANOSECONDS.toMillis(goodbyeDeadlineNanos - System.nanoTime());
    return Math.max(0, left - Math.min(left / 4, 250));
  }

  private boolean isHeartbeatId(String messageId) {
    LinkConnection c = current;
    return c != null && c.isHeartbeatId(messageId);
  }

  /**
   * What the current connection reports; stale connections' late reports are ignored. Link thread.
   */
  private final class ConnectionEvents implements LinkConnection.Owner {
    @Override
    public void acknowledged(LinkConnection c, String assignedId) {
      if (c == current) {
        online(c, assignedId);
      }
    }

    @Override
    public void message(LinkConnection c, Message m) {
      if (c == current) {
        frames.handle(m);
      }
    }

    @Override
    public void closed(LinkConnection c, int code, String reason) {
      if (c == current) {
        BackendLink.this.closed(c, code, reason);
      }
    }
  }

  /**
   * Connection matters found in server frames; called on the link thread for the current
   * connection.
   */
  private final class ConnectionMatters implements ServerFrames.Connection {
    @Override
    public void ack(Ack ack) {
      LinkConnection c = current;
      if (c != null) {
        c.ack(ack);
      }
    }

    @Override
    public void serverInterval(long millis) {
      LinkConnection c = current;
      if (c != null) {
        c.serverInterval(millis);
      }
    }

    @Override
    public void authRefused(String message) {
      fail(
          AgentExitException.authRejected(
              "backend " + settings.endpoint() + " refused authentication: " + message));
    }

    @Override
    public void heartbeatUnknown() {
      LinkConnection c = current;
      if (c == null || !c.heartbeatUnknown()) {
        return;
      }
      String line =
          "backend does not know AGENT_HEARTBEAT (TypeScript backend); living on PING/PONG on this connection";
      if (heartbeatFallbackLogged) {
        log.debug(line);
      } else {
        heartbeatFallbackLogged = true;
        log.info(line);
      }
    }

    @Override
    public void tokenRefreshed(String t, Long expiresIn, String refreshToken) {
      token = t;
      TokenSource source = tokenSource;
      if (source != null) {
        try {
          source.refreshed(t, expiresIn, refreshToken);
        } catch (RuntimeException e) {
          log.warn("TOKEN_REFRESH adopted but not saved: " + e.getMessage());
        }
      }
      log.info("token refreshed; used from the next reconnect");
    }
  }
}
