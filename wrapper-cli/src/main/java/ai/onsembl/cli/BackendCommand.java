package ai.onsembl.cli;

import ai.onsembl.backend.AgentTokens;
import ai.onsembl.backend.BackendConfig;
import ai.onsembl.backend.ReadyLine;
import ai.onsembl.backend.ReferenceBackend;
import ai.onsembl.backend.TlsContexts;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code onsembl-agent backend}: runs the reference backend until SIGTERM or SIGINT. Prints exactly
 * one line on stdout when both ports are open; everything else goes to stderr.
 */
@Command(
    name = "backend",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Run the reference backend: /ws/agent and /ws/dashboard, REST, the /agents page and /metrics.",
      "When both ports are open it prints one line on stdout:",
      "  onsembl backend listening ws://HOST:PORT http://HOST:PORT  (wss:// https:// with TLS)",
      "and runs until SIGTERM or SIGINT (agents are closed with 1001, the database is closed)."
    },
    footer = {
      "",
      "Secrets: --agent-token, --dashboard-token and --jwt-secret may also come from",
      "ONSEMBL_BACKEND_AGENT_TOKEN, ONSEMBL_BACKEND_DASHBOARD_TOKEN and ONSEMBL_BACKEND_JWT_SECRET",
      "(prefer these: argv is visible in ps). Secrets are never logged.",
      "With neither an agent token nor a JWT secret, a random agent token is generated; with neither a",
      "dashboard token nor a JWT secret, a random dashboard token is generated. Generated tokens are",
      "printed once on stderr. A JWT secret shorter than 32 bytes is accepted (the TypeScript backend's",
      "default is 14) with a warning.",
      "Port 0 picks a free port. Exit codes: 0 after a clean stop, 2 for bad flags or configuration,",
      "1 when a port or the database cannot be opened; 143/130 when stopped by SIGTERM/SIGINT."
    })
public final class BackendCommand implements Callable<Integer> {
  static final String AGENT_TOKEN_ENV = "ONSEMBL_BACKEND_AGENT_TOKEN";
  static final String DASHBOARD_TOKEN_ENV = "ONSEMBL_BACKEND_DASHBOARD_TOKEN";
  static final String JWT_SECRET_ENV = "ONSEMBL_BACKEND_JWT_SECRET";
  static final String TLS_PASSWORD_ENV = "ONSEMBL_BACKEND_TLS_PASSWORD";

  @Spec CommandSpec spec;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      paramLabel = "HOST",
      description = "Address both ports bind to (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--port",
      defaultValue = "3001",
      paramLabel = "PORT",
      description = "WebSocket port, 0 for a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--http-port",
      defaultValue = "3002",
      paramLabel = "PORT",
      description =
          "HTTP port (REST, /agents, /metrics), 0 for a free one (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(
      names = "--db",
      paramLabel = "PATH|:memory:",
      description =
          "SQLite database file, created with its directory (default: ~/.onsembl/backend.db).")
  String db;

  @Option(
      names = "--agent-token",
      paramLabel = "TOKEN",
      description = "Static token for /ws/agent (or " + AGENT_TOKEN_ENV + ").")
  String agentToken;

  @Option(
      names = "--agent-tokens",
      paramLabel = "FILE",
      description =
          "Agent tokens bound to agent ids: lines 'TOKEN AGENT_ID [AGENT_ID...]' ('*' = any id);"
              + " each token connects only as its ids. With or instead of --agent-token.")
  Path agentTokensFile;

  @Option(
      names = "--dashboard-token",
      paramLabel = "TOKEN",
      description =
          "Static token for /ws/dashboard and HTTP Bearer (or " + DASHBOARD_TOKEN_ENV + ").")
  String dashboardToken;

  @Option(
      names = "--jwt-secret",
      paramLabel = "SECRET",
      description =
          "HS256 secret: accept JWTs (type cli/agent for agents, others for dashboards) (or "
              + JWT_SECRET_ENV
              + ").")
  String jwtSecret;

  @Option(
      names = "--heartbeat-interval",
      defaultValue = "15s",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "PING interval to agents and dashboards, told to agents as nextPingExpected"
              + " (default: ${DEFAULT-VALUE}).")
  Duration heartbeatInterval;

  @Option(
      names = "--heartbeat-timeout",
      defaultValue = "45s",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Silence after which an agent is OFFLINE \"Heartbeat timeout\" and a dashboard is closed"
              + " 4000 (default: ${DEFAULT-VALUE}).")
  Duration heartbeatTimeout;

  @Option(
      names = "--access-token-ttl",
      defaultValue = "1h",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Lifetime of the access tokens the device login (onsembl-agent login) and its refresh issue"
              + " (default: ${DEFAULT-VALUE}).")
  Duration accessTokenTtl;

  @Option(
      names = "--max-output-per-command",
      defaultValue = "16MiB",
      paramLabel = "SIZE",
      converter = SizeConverter.class,
      description =
          "Terminal output kept per command (and per agent session); beyond it the oldest output is dropped"
              + " and the API and page say how much (default: ${DEFAULT-VALUE}).")
  long maxOutputPerCommand;

  @Option(
      names = "--output-retention",
      defaultValue = "7d",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Output of finished commands is deleted this long after they finished (default: ${DEFAULT-VALUE}).")
  Duration outputRetention;

  @Option(
      names = "--tls-keystore",
      paramLabel = "FILE",
      description =
          "PKCS12 key store (certificate and key): serve wss:// and https:// (password from "
              + "--tls-password-file or "
              + TLS_PASSWORD_ENV
              + ").")
  Path tlsKeystore;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description = "PEM certificate chain: serve wss:// and https:// (with --tls-key).")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      description = "PEM private key, unencrypted PKCS#8 (BEGIN PRIVATE KEY), for --tls-cert.")
  Path tlsKey;

  @Option(
      names = "--tls-password-file",
      paramLabel = "FILE",
      description =
          "File holding the --tls-keystore password (else " + TLS_PASSWORD_ENV + ", else none).")
  Path tlsPasswordFile;

  /** The environment secrets are read from (tests replace it). */
  Map<String, String> env = System.getenv();

  /** False in in-process tests, which call {@link #stop()} instead of sending a signal. */
  boolean installShutdownHook = true;

  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile ReferenceBackend backend;
  private volatile Throwable fatal;

  /**
   * Exit code after a fatal error in the server's threads (EX_SOFTWARE): a supervisor restarts it.
   */
  static final int EXIT_FATAL = 70;

  /** Exit status when the WebSocket port stops listening: the same as a fatal error. */
  static final int EXIT_LISTENER_LOST = EXIT_FATAL;

  /**
   * The backend's port guard found the WebSocket port closed for good (what Java-WebSocket does
   * when accept() fails for lack of file descriptors): say so and exit 70, so a supervisor restarts
   * it.
   */
  void listenerLost() {
    PrintWriter err = spec.commandLine().getErr();
    err.println(
        "onsembl backend: the WebSocket port stopped listening; exiting with status "
            + EXIT_LISTENER_LOST
            + " so that a supervisor restarts the backend");
    err.flush();
    exitCode = EXIT_LISTENER_LOST;
    stop();
  }

  private volatile int exitCode;

  @Override
  public Integer call() throws InterruptedException {
    CliLogging.configure("info");
    PrintWriter err = spec.commandLine().getErr();
    String dbPath = db != null ? db : BackendConfig.defaultDatabaseFile().toString();
    // Built before any token is generated, so bad flags fail (exit 2) without printing a secret.
    BackendConfig config =
        BackendConfig.defaults()
            .withHost(host)
            .withPorts(port, httpPort)
            .withDatabasePath(dbPath)
            .withHeartbeat(heartbeatInterval, heartbeatTimeout)
            .withAccessTokenTtl(accessTokenTtl);
    try {
      config =
          config.withOutputLimits(
              new BackendConfig.OutputLimits(maxOutputPerCommand, outputRetention));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    SSLContext tls = tls();
    if (agentTokensFile != null) {
      try {
        config = config.withAgentTokens(AgentTokens.read(agentTokensFile));
      } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
        throw new ParameterException(spec.commandLine(), "--agent-tokens: " + e.getMessage());
      }
    }
    String agent = firstOf(agentToken, env.get(AGENT_TOKEN_ENV));
    String dashboard = firstOf(dashboardToken, env.get(DASHBOARD_TOKEN_ENV));
    String secret = firstOf(jwtSecret, env.get(JWT_SECRET_ENV));
    if (agent == null && secret == null && config.agentTokens().isEmpty()) {
      agent = BackendConfig.randomToken();
      err.println(
          "onsembl backend: no agent token or JWT secret given; generated agent token: " + agent);
    }
    if (dashboard == null && secret == null) {
      dashboard = BackendConfig.randomToken();
      err.println(
          "onsembl backend: no dashboard token or JWT secret given; generated dashboard token: "
              + dashboard);
    }
    config =
        config
            .withAgentToken(agent)
            .withDashboardToken(dashboard)
            .withJwtSecret(secret)
            .withTls(tls);
    ReferenceBackend started = ReferenceBackend.start(config);
    backend = started;
    started.onListenerLost(this::listenerLost);
    Thread hook = new Thread(this::stop, "onsembl-backend-shutdown");
    if (installShutdownHook) {
      Runtime.getRuntime().addShutdownHook(hook);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(ReadyLine.of(started));
    out.flush();
    err.println(
        "onsembl backend: database "
            + dbPath
            + "; open the /agents page with "
            + started.dashboardLoginLink());
    err.flush();
    started
        .fatalError()
        .thenAccept(
            error -> {
              fatal = error;
              stopped.countDown();
            });
    stopped.await();
    if (installShutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down: the hook is what stopped us
      }
    }
    Throwable error = fatal;
    if (error != null) {
      err.println("onsembl backend: stopped after a fatal error in the WebSocket server: " + error);
      err.flush();
      return EXIT_FATAL;
    }
    return exitCode;
  }

  /** The server TLS context from --tls-keystore or --tls-cert/--tls-key; null without them. */
  private SSLContext tls() {
    if (tlsKeystore != null && (tlsCert != null || tlsKey != null)) {
      throw new ParameterException(
          spec.commandLine(), "give --tls-keystore or --tls-cert with --tls-key, not both");
    }
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new ParameterException(spec.commandLine(), "--tls-cert and --tls-key go together");
    }
    try {
      if (tlsKeystore != null) {
        String pw =
            tlsPasswordFile != null
                ? Files.readString(tlsPasswordFile).strip()
                : env.get(TLS_PASSWORD_ENV);
        return TlsContexts.fromPkcs12(tlsKeystore, pw == null ? new char[0] : pw.toCharArray());
      }
      return tlsCert != null ? TlsContexts.fromPem(tlsCert, tlsKey) : null;
    } catch (IOException | IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "TLS: " + e.getMessage());
    }
  }

  /**
   * Stops the backend (bounded: a few seconds at most) and lets {@link #call()} return. Idempotent.
   */
  void stop() {
    ReferenceBackend b = backend;
    if (b != null) {
      b.close();
    }
    stopped.countDown();
  }

  private static String firstOf(String flag, String fromEnv) {
    if (flag != null && !flag.isBlank()) {
      return flag;
    }
    return fromEnv == null || fromEnv.isBlank() ? null : fromEnv;
  }
}
