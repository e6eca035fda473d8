package ai.onsembl.backend.internal;

import ai.onsembl.backend.AgentState;
import ai.onsembl.backend.BackendConfig;
import ai.onsembl.backend.internal.http.HttpApi;
import ai.onsembl.backend.internal.web.DashboardWeb;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.protocol.Ping;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running backend: wires store, registry, monitor, fan-out, WebSocket and HTTP servers. State
 * changes run on one worker thread; timers on one scheduler thread; Java-WebSocket's threads only
 * read and check frames.
 */
public final class BackendCore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BackendCore.class);
  private static final long CLOSE_STEP_MILLIS = 2000;
  private static final long MIN_HELLO_MILLIS = 10_000;

  final BackendConfig config;
  final BackendHooks hooks;
  final Authenticator auth;
  final Database db;
  final DeviceAuth deviceAuth;
  final AgentStore agents;
  final CommandStore commands;
  final Registry registry = new Registry();
  final DashboardHub hub;
  final BackendMetrics metrics;
  final AtomicLong epochs;
  final AtomicInteger peerIndex = new AtomicInteger();
  final ExecutorService worker;
  final ScheduledExecutorService scheduler;
  final HeartbeatMonitor monitor;
  final AgentLifecycle lifecycle;
  final CommandService commandService;
  final AgentEndpoint agentEndpoint;
  final WorkGate frameGate;
  final CloseBatcher closes;
  final DashboardEndpoint dashboards;
  final DashboardWeb web;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final java.util.concurrent.CompletableFuture<Throwable> fatalError =
      new java.util.concurrent.CompletableFuture<>();
  private volatile boolean listenerLost;
  private volatile Runnable listenerLostAction;
  private WsServer ws;
  private HttpApi http;
  private int wsPort;
  private int httpPort;
  private int staleAtStartup;

  private BackendCore(BackendConfig config, BackendHooks hooks) {
    this.config = config;
    this.hooks = hooks;
    this.db = Database.open(config.databasePath());
    this.deviceAuth =
        new DeviceAuth(
            db, config.jwtSecret(), config.accessTokenTtl(), java.time.Clock.systemUTC());
    this.auth =
        new Authenticator(
            config.agentToken(),
            config.dashboardToken(),
            config.jwtSecret(),
            deviceAuth.signingKey(),
            config.agentTokens());
    this.agents = new AgentStore(db);
    this.commands = new CommandStore(db);
    this.hub = new DashboardHub(config.dashboardQueueLimit(), config.heartbeatTimeout().toNanos());
    this.metrics = new BackendMetrics(this::ghostCountForMetrics, hub::size);
    this.epochs = new AtomicLong(agents.maxEpoch());
    this.worker = Executors.newSingleThreadExecutor(daemon("onsembl-backend-worker"));
    this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("onsembl-backend-timer"));
    // Each helper gets the collaborators it uses, nothing more; the worker and the sender are this
    // core's.
    this.monitor =
        new HeartbeatMonitor(
            scheduler,
            config.heartbeatInterval(),
            config.heartbeatTimeout(),
            this::ping,
            this::heartbeatTimedOut);
    this.lifecycle =
        new AgentLifecycle(
            config,
            db,
            agents,
            commands,
            registry,
            hub,
            metrics,
            monitor,
            epochs,
            this::sendToAgent,
            this::forceCloseLater);
    metrics.storeWritable(() -> lifecycle.storeFailing() ? 0 : 1);
    this.closes = new CloseBatcher(this::onWorker, lifecycle::closedAll);
    this.commandService =
        new CommandService(db, agents, commands, registry, hub, this::sendToAgent);
    commandService.maxOutputBytes = config.output().maxBytesPerCommand();
    // Agent frames waiting for the worker: 16 frames of the largest size (16 MiB by default), then
    // backpressure.
    this.frameGate =
        new WorkGate(
            this::onWorker,
            (int) Math.min(Integer.MAX_VALUE, 16L * config.maxFrameBytes()),
            closed::get);
    metrics.workerQueue(frameGate::queuedBytes, frameGate::waits);
    this.agentEndpoint = new AgentEndpoint(frameGate, hooks, metrics, lifecycle, commandService);
    DashboardLiveness dashboardLiveness =
        new DashboardLiveness(
            scheduler,
            config.heartbeatInterval(),
            config.heartbeatTimeout(),
            this::forceCloseLater);
    this.dashboards =
        new DashboardEndpoint(
            this::onWorker, agents, registry, hub, dashboardLiveness, commandService);
    hub.start(this::onWorker, scheduler, dashboards::snapshot, metrics);
    this.web =
        new DashboardWeb(
            token -> auth.check(Authenticator.Role.DASHBOARD, token).accepted(),
            sessionSecret(config),
            () -> wsPort);
    this.web.useRevocations(new RevokedSessions(db));
  }

  /**
   * Opens the store, runs startup cleanup, then opens the ports. Fails with everything released.
   */
  public static BackendCore start(BackendConfig config, BackendHooks hooks) {
    config.validateCredentials();
    if (Authenticator.isShortSecret(config.jwtSecret())) {
      LOG.warn(
          "The JWT secret is shorter than {} bytes; accepted for compatibility with the TypeScript backend,"
              + " but use a longer random secret",
          Authenticator.RECOMMENDED_SECRET_BYTES);
    }
    BackendCore core = new BackendCore(config, hooks);
    try {
      core.staleAtStartup = core.lifecycle.startupCleanup();
      core.ws = new WsServer(core, new InetSocketAddress(config.host(), config.wsPort()));
      if (config.tls() != null) {
        core.ws.useTls(config.tls());
      }
      core.wsPort = core.ws.startAndWait();
      core.http = new HttpApi(core.api(), config.host(), config.httpPort(), config.tls());
      core.httpPort = core.http.port();
      core.http.addDashboardPage(core.web);
      core.scheduler.scheduleWithFixedDelay(core::guardPort, 1, 1, TimeUnit.SECONDS);
      long resumeEvery = WsServer.RESUME_WRITES_EVERY.toMillis();
      core.scheduler.scheduleWithFixedDelay(
          core::resumeStrandedWrites, resumeEvery, resumeEvery, TimeUnit.MILLISECONDS);
      core.scheduler.scheduleWithFixedDelay(
          () ->
              core.onWorker(
                  () -> {
                    if (core.lifecycle.storeFailing()) {
                      core.lifecycle.retryStore();
                    }
                  }),
          1,
          1,
          TimeUnit.SECONDS);
      core.scheduler.scheduleWithFixedDelay(
          () -> core.onWorker(core::pruneOutput), 0, 10, TimeUnit.MINUTES);
      core.scheduler.scheduleAtFixedRate(
          () -> core.onWorker(core::flushLastSeen),
          config.heartbeatInterval().toMillis(),
          config.heartbeatInterval().toMillis(),
          TimeUnit.MILLISECONDS);
      String tls = config.tls() != null ? "s" : "";
      LOG.info(
          "Reference backend listening ws{}://{}:{} http{}://{}:{} (db {})",
          tls,
          config.host(),
          core.wsPort,
          tls,
          config.host(),
          core.httpPort,
          config.databasePath());
      return core;
    } catch (RuntimeException e) {
      core.close();
      throw e;
    }
  }

  public int wsPort() {
    return wsPort;
  }

  /** What to do when the WebSocket port stops listening for good (checked once a second). */
  public void onListenerLost(Runnable action) {
    this.listenerLostAction = action;
  }

  /** A new one-time sign-in link for the /agents page. */
  public String dashboardLoginLink(String httpBase) {
    return web.loginLink(httpBase);
  }

  /**
   * Page sessions are signed with the dashboard credential, so they survive a restart with the same
   * one.
   */
  private static byte[] sessionSecret(BackendConfig config) {
    String secret = config.dashboardToken() != null ? config.dashboardToken() : config.jwtSecret();
    return secret.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  public int httpPort() {
    return httpPort;
  }

  public BackendConfig config() {
    return config;
  }

  public int staleAtStartup() {
    return staleAtStartup;
  }

  /**
   * Completes with the error when one of Java-WebSocket's threads died of an {@link Error}: the
   * library then stops its server, so the backend closes itself and whoever runs it (the {@code
   * backend} command) exits non-zero instead of leaving a process without its WebSocket port.
   */
  public java.util.concurrent.CompletableFuture<Throwable> fatalError() {
    return fatalError;
  }

  void fatal(Error error) {
    if (fatalError.complete(error)) {
      LOG.error("Fatal error in a WebSocket server thread; the backend stops", error);
      Thread t = new Thread(this::close, "onsembl-backend-fatal-stop");
      t.setDaemon(true);
      t.start();
    }
  }

  /** Runs on the worker; failures are logged, never lost silently; after close it is a no-op. */
  void onWorker(Runnable task) {
    try {
      worker.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              if (!closed.get()) {
                LOG.error("Backend task failed", e);
              }
            }
          });
    } catch (RejectedExecutionException e) {
      // closing: nothing more to do
    }
  }

  /** Runs {@code task} on the worker and waits for it (for HTTP handlers and metrics). */
  <T> T onWorkerAndWait(Callable<T> task, Duration timeout) {
    Future<T> f;
    try {
      f = worker.submit(task);
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException("backend is stopped", e);
    }
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (TimeoutException e) {
      f.cancel(false);
      throw new IllegalStateException(
          "backend busy: no answer within " + timeout.toMillis() + " ms", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r
          ? r
          : new IllegalStateException(e.getCause());
    }
  }

  void sendToAgent(Peer p, Message m) {
    if (p.agentId != null && !hooks.answers(p.agentId)) {
      return;
    }
    Duration delay = hooks.ackDelay();
    if (m.type() == MessageType.ACK && !delay.isZero()) {
      scheduler.schedule(() -> p.send(m), delay.toNanos(), TimeUnit.NANOSECONDS);
    } else {
      p.send(m);
    }
  }

  private void heartbeatTimedOut(AgentSession s) {
    onWorker(() -> lifecycle.heartbeatTimeout(s));
  }

  private void ping(AgentSession s) {
    sendToAgent(s.peer, Message.of(new Ping(System.currentTimeMillis())));
  }

  /**
   * An agent connection that never sends AGENT_CONNECT is closed after the heartbeat timeout, but
   * not sooner than {@link #MIN_HELLO_MILLIS}: a cold client JVM can take a second to send its
   * first frame.
   */
  void expectConnect(Peer p) {
    scheduler.schedule(
        () -> {
          if (p.agentId == null && !p.closed) {
            FrameGuard.refuse(
                p,
                ai.onsembl.protocol.ErrorCode.INVALID_MESSAGE,
                "No AGENT_CONNECT received",
                null);
            p.close(4000, "No AGENT_CONNECT");
          }
        },
        Math.max(MIN_HELLO_MILLIS, config.heartbeatTimeout().toMillis()),
        TimeUnit.MILLISECONDS);
  }

  /**
   * After our close frame, give the peer one second for the handshake, then drop the TCP
   * connection.
   */
  void forceCloseLater(Peer p) {
    scheduler.schedule(
        () -> {
          if (!p.closed && p.socket instanceof WebSocketImpl impl) {
            impl.closeConnection(1006, "Close handshake not completed");
          }
        },
        1,
        TimeUnit.SECONDS);
  }

  /**
   * Once a second: closes connections past the handshake deadline, and notices a listening socket
   * that Java-WebSocket closed (it does so when accept() fails, e.g. out of file descriptors); that
   * is reported by /healthz and handed to the {@link #onListenerLost} action (the CLI's ends the
   * process).
   */
  private void resumeStrandedWrites() {
    try {
      int resumed = ws.resumeStrandedWrites();
      if (resumed > 0) {
        metrics.writesResumed(resumed);
        LOG.debug("Asked {} connection(s) with stranded frames to write again", resumed);
      }
    } catch (RuntimeException e) {
      LOG.error("Resuming stranded writes failed", e);
    }
  }

  private void guardPort() {
    try {
      ws.guard.sweep();
      if (!closed.get() && !listenerLost && !ws.listening()) {
        listenerLost = true;
        LOG.error(
            "The WebSocket port {} stopped listening (Java-WebSocket closed it, e.g. after accept() failed"
                + " with too many open files): no agent can connect",
            wsPort);
        Runnable action = listenerLostAction;
        if (action != null) {
          action.run();
        }
      }
    } catch (RuntimeException e) {
      LOG.error("Port guard failed", e);
    }
  }

  /** What /healthz reports: each part "up" or what is wrong with it. */
  Map<String, String> health() {
    Map<String, String> parts = new java.util.LinkedHashMap<>();
    parts.put(
        "webSocket",
        ws != null && !listenerLost && ws.listening()
            ? "up"
            : "down: the WebSocket port " + wsPort + " is not listening");
    parts.put("http", http != null ? "up" : "down");
    String unsaved = lifecycle.storeFailing() ? lifecycle.storeFailure() : null;
    String store = unsaved != null ? unsaved : db.probe(Duration.ofMillis(500));
    parts.put("store", store == null ? "up" : "down: " + store);
    return parts;
  }

  /** Deletes the output of commands finished longer ago than --output-retention. */
  void pruneOutput() {
    long before = System.currentTimeMillis() - config.output().retention().toMillis();
    int n = db.tx(c -> commands.pruneOutput(c, before));
    if (n > 0) {
      LOG.info(
          "Deleted {} output chunk(s) of commands finished more than {} ago",
          n,
          config.output().retention());
    }
  }

  /** Writes in-memory last_seen of live agents, at most once per interval, in one transaction. */
  private void flushLastSeen() {
    Map<String, long[]> changed = new HashMap<>();
    for (AgentSession s : registry.all()) {
      long seen = s.peer.lastSeenMillis;
      if (seen != s.flushedLastSeen) {
        changed.put(s.agentId, new long[] {s.epoch, seen});
        s.flushedLastSeen = seen;
      }
    }
    if (!changed.isEmpty()) {
      db.tx(
          c -> {
            agents.touch(c, changed);
            return null;
          });
    }
  }

  /**
   * Agents ONLINE in the store without a live session: computed on the worker, so never mid-change.
   */
  long ghostCount() {
    try {
      return onWorkerAndWait(this::ghostCountNow, Duration.ofSeconds(5));
    } catch (IllegalStateException e) {
      return ghostCountNow();
    }
  }

  /** How old the {@code agent_ghost_count} a /metrics scrape reads may be. */
  static final Duration GHOST_COUNT_MAX_AGE = Duration.ofMillis(250);

  private final Object ghostCountLock = new Object();
  private long ghostCountAt;
  private long ghostCountValue = -1;

  /**
   * {@link #ghostCount()} for /metrics: computed at most every {@link #GHOST_COUNT_MAX_AGE}. The
   * count reads every ONLINE row, on the worker; a scraper polling every 20 ms during a burst of
   * 10,000 closes kept the worker half busy with it.
   */
  long ghostCountForMetrics() {
    synchronized (ghostCountLock) {
      long now = System.nanoTime();
      if (ghostCountValue < 0 || now - ghostCountAt >= GHOST_COUNT_MAX_AGE.toNanos()) {
        ghostCountValue = ghostCount();
        ghostCountAt = System.nanoTime();
      }
      return ghostCountValue;
    }
  }

  private long ghostCountNow() {
    Set<String> live = new HashSet<>();
    for (AgentSession s : registry.all()) {
      live.add(s.agentId);
    }
    return agents.onlineIds().stream().filter(id -> !live.contains(id)).count();
  }

  /** The agent with its live last-seen time when connected. */
  public Optional<AgentState> agent(String agentId) {
    return agents.find(agentId).map(this::live);
  }

  public List<AgentState> allAgents() {
    return agents.all().stream().map(this::live).toList();
  }

  AgentState live(AgentState a) {
    AgentSession s = registry.current(a.agentId());
    return s == null || s.epoch != a.connectionEpoch() ? a : a.withLastSeen(s.peer.lastSeenMillis);
  }

  /** The live socket of an agent (for fault injection), or null. */
  public WebSocket agentSocket(String agentId) {
    AgentSession s = registry.current(agentId);
    return s == null ? null : s.peer.socket;
  }

  public BackendApi api() {
    return new BackendApi(this);
  }

  /**
   * Bounded: marks live agents OFFLINE ("Server stopped"), closes sockets with 1001, stops HTTP,
   * drains the worker, closes the database. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (ws != null) {
      try {
        worker.submit(lifecycle::shutdown).get(CLOSE_STEP_MILLIS, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        LOG.warn("Marking agents OFFLINE on shutdown did not finish: {}", e.toString());
      }
      try {
        ws.stopListening((int) CLOSE_STEP_MILLIS, "Server stopping");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (http != null) {
      http.stop();
    }
    scheduler.shutdownNow();
    worker.shutdown();
    try {
      if (!worker.awaitTermination(CLOSE_STEP_MILLIS, TimeUnit.MILLISECONDS)) {
        worker.shutdownNow();
      }
    } catch (InterruptedException e) {
      worker.shutdownNow();
      Thread.currentThread().interrupt();
    }
    db.close();
    LOG.info("Reference backend stopped");
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
