package ai.onsembl.backend;

import ai.onsembl.backend.internal.BackendAccess;
import ai.onsembl.backend.internal.BackendCore;
import ai.onsembl.backend.internal.BackendHooks;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The reference backend: {@code /ws/agent} and {@code /ws/dashboard} on one WebSocket port, REST
 * and {@code /metrics} on an HTTP port, agent status in SQLite.
 *
 * <p>Lifecycle: {@link #start()} opens the database, runs startup cleanup (agents left ONLINE
 * become OFFLINE "Server restarted") and only then opens the ports; it returns once both are bound,
 * so {@link #wsPort()} and {@link #httpPort()} are the real ports even when the config asked for 0.
 * {@link #close()} is idempotent and bounded (a few seconds at most): live agents are marked
 * OFFLINE "Server stopped", their sockets closed with 1001, the HTTP server stopped and the
 * database closed.
 *
 * <p>A config without credentials gets generated ones ({@link
 * BackendConfig#withGeneratedTokens()}): read them from {@link #config()}. For tests, {@code
 * ai.onsembl.backend.junit.TestBackend} records agent frames and sends commands.
 *
 * <pre>{@code
 * try (ReferenceBackend backend = ReferenceBackend.start(BackendConfig.defaults()
 *     .withPorts(0, 0).withAgentToken("a").withDashboardToken("d"))) {
 *   connect(backend.wsUrl() + "/ws/agent?token=a");
 * }
 * }</pre>
 */
public final class ReferenceBackend implements AutoCloseable {
  static {
    BackendAccess.register(
        new BackendAccess.Bridge() {
          @Override
          public ReferenceBackend create(BackendConfig config, BackendHooks hooks) {
            return new ReferenceBackend(config, hooks);
          }

          @Override
          public BackendCore core(ReferenceBackend backend) {
            return backend.running();
          }
        });
  }

  private final BackendHooks hooks;
  private volatile BackendConfig config;
  private volatile BackendCore core;
  private volatile boolean closed;

  public ReferenceBackend(BackendConfig config) {
    this(config, BackendHooks.NONE);
  }

  private ReferenceBackend(BackendConfig config, BackendHooks hooks) {
    this.config = Objects.requireNonNull(config, "config");
    this.hooks = Objects.requireNonNull(hooks, "hooks");
  }

  /** Creates and starts a backend. */
  public static ReferenceBackend start(BackendConfig config) {
    return new ReferenceBackend(config).start();
  }

  /**
   * Starts once, with generated tokens where the config has no credential (see {@link #config()}).
   * Throws {@link IllegalStateException} when a port or the database cannot be opened.
   */
  public synchronized ReferenceBackend start() {
    if (closed) {
      throw new IllegalStateException("backend was closed; create a new one");
    }
    if (core != null) {
      throw new IllegalStateException("backend already started on ws port " + core.wsPort());
    }
    BackendConfig effective = config.withGeneratedTokens();
    core = BackendCore.start(effective, hooks);
    config = effective;
    return this;
  }

  /**
   * Runs {@code action} (once, on a timer thread) if the WebSocket port stops listening for good,
   * e.g. when accept() failed for lack of file descriptors and Java-WebSocket closed its listening
   * socket. A stand-alone backend should exit non-zero then so that its supervisor restarts it.
   */
  public synchronized void onListenerLost(Runnable action) {
    if (core == null) {
      throw new IllegalStateException("start the backend first");
    }
    core.onListenerLost(action);
  }

  /**
   * The configuration, with the generated tokens once started (ports as configured: see {@link
   * #wsPort()}).
   */
  public BackendConfig config() {
    return config;
  }

  /** The bound WebSocket port. */
  public int wsPort() {
    return running().wsPort();
  }

  /** The bound HTTP port. */
  public int httpPort() {
    return running().httpPort();
  }

  /** {@code ws://HOST:PORT} ({@code wss://} with TLS), without a path. */
  public String wsUrl() {
    return (config.tls() != null ? "wss://" : "ws://") + hostForUrl() + ":" + wsPort();
  }

  /** {@code http://HOST:PORT} ({@code https://} with TLS), without a path. */
  public String httpUrl() {
    return (config.tls() != null ? "https://" : "http://") + hostForUrl() + ":" + httpPort();
  }

  /**
   * A new one-time link that signs a browser in to the /agents page, {@code
   * http://HOST:PORT/login?code=...}: it sets an HttpOnly session cookie and redirects to /agents,
   * so the dashboard token is in no URL.
   */
  public String dashboardLoginLink() {
    return running().dashboardLoginLink(httpUrl());
  }

  /** The agent as stored, with its live last-seen time while connected. */
  public Optional<AgentState> agent(String agentId) {
    return running().agent(agentId);
  }

  /** Every agent ever seen, by id. */
  public List<AgentState> agents() {
    return running().allAgents();
  }

  /**
   * Completes with the error when a WebSocket server thread died of an {@link Error} (out of
   * memory, stack overflow): the backend has then closed itself; a process running it should exit
   * non-zero.
   */
  public java.util.concurrent.CompletableFuture<Throwable> fatalError() {
    return running().fatalError();
  }

  /**
   * Agents found not OFFLINE in the database at startup (and marked OFFLINE "Server restarted").
   */
  public int staleAgentsAtStartup() {
    return running().staleAtStartup();
  }

  private String hostForUrl() {
    String h = config.host();
    return h.contains(":") ? "[" + h + "]" : h;
  }

  private BackendCore running() {
    BackendCore c = core;
    if (closed || c == null) {
      throw new IllegalStateException(closed ? "backend is closed" : "call start() first");
    }
    return c;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    BackendCore c = core;
    if (c != null) {
      c.close();
    }
  }
}
