package ai.onsembl.backend;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * Immutable configuration of a {@link ReferenceBackend}. Start from {@link #defaults()} and adjust
 * with the {@code with…} copies. Secrets are never printed by {@link #toString()}.
 *
 * @param host the address both servers bind to (loopback by default)
 * @param wsPort WebSocket port; 0 picks a free port
 * @param httpPort HTTP port; 0 picks a free port
 * @param databasePath SQLite file path, or {@code ":memory:"}
 * @param agentToken static token accepted on {@code /ws/agent}, or null
 * @param dashboardToken static token accepted on {@code /ws/dashboard} and as HTTP Bearer, or null
 * @param jwtSecret HS256 secret for JWTs, or null (no JWTs accepted)
 * @param heartbeatInterval how often the backend PINGs each agent and dashboard (and the interval
 *     it tells agents)
 * @param heartbeatTimeout silence after which an agent is OFFLINE "Heartbeat timeout" and a
 *     dashboard is closed with 4000
 * @param agentMessagesPerSecond per-connection rate limit on {@code /ws/agent}, sustained: an agent
 *     may first send a burst of up to 1,000 frames (a reconnecting wrapper replays its queue)
 * @param dashboardMessagesPerSecond per-connection rate limit on {@code /ws/dashboard}
 * @param maxFrameBytes largest accepted frame, in bytes
 * @param dashboardQueueLimit bytes of frames a dashboard may have waiting; beyond it its status
 *     frames are coalesced (latest per agent), then its backlog is replaced by a fresh snapshot
 *     (default 8 MiB)
 * @param tls server TLS context for {@code wss://} and {@code https://}, or null for plain ws/http
 * @param accessTokenTtl lifetime of the access tokens the device login and its refresh issue
 *     (default 1 h)
 * @param agentTokens agent tokens bound to the agent ids each may connect as ({@code *}: any); see
 *     {@link #withAgentTokens}
 */
public record BackendConfig(
    String host,
    int wsPort,
    int httpPort,
    String databasePath,
    String agentToken,
    String dashboardToken,
    String jwtSecret,
    Duration heartbeatInterval,
    Duration heartbeatTimeout,
    int agentMessagesPerSecond,
    int dashboardMessagesPerSecond,
    int maxFrameBytes,
    int dashboardQueueLimit,
    SSLContext tls,
    Duration accessTokenTtl,
    Map<String, Set<String>> agentTokens,
    OutputLimits output) {

  /**
   * How much terminal output the store keeps.
   *
   * @param maxBytesPerCommand output kept per command (UTF-8 bytes); beyond it the oldest chunks
   *     are dropped and the command records how much was dropped (default 16 MiB)
   * @param retention output of finished commands is deleted this long after they finished (default
   *     7 days)
   */
  public record OutputLimits(long maxBytesPerCommand, Duration retention) {
    public OutputLimits {
      if (maxBytesPerCommand < 1024) {
        throw new IllegalArgumentException(
            "maxBytesPerCommand must be at least 1024 but was " + maxBytesPerCommand);
      }
      Objects.requireNonNull(retention, "retention");
      if (retention.isNegative() || retention.isZero()) {
        throw new IllegalArgumentException(
            "output retention must be positive but was " + retention);
      }
    }

    /** 16 MiB per command, 7 days. */
    public static OutputLimits defaults() {
      return new OutputLimits(16L * 1024 * 1024, Duration.ofDays(7));
    }
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  /** The in-memory database name. */
  public static final String IN_MEMORY = ":memory:";

  public BackendConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(databasePath, "databasePath");
    Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
    Objects.requireNonNull(heartbeatTimeout, "heartbeatTimeout");
    Objects.requireNonNull(accessTokenTtl, "accessTokenTtl");
    if (accessTokenTtl.toSeconds() < 1) {
      throw new IllegalArgumentException(
          "accessTokenTtl must be at least 1 s but was " + accessTokenTtl);
    }
    checkPort("wsPort", wsPort);
    checkPort("httpPort", httpPort);
    if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
      throw new IllegalArgumentException(
          "heartbeatInterval must be positive but was " + heartbeatInterval);
    }
    if (heartbeatTimeout.compareTo(heartbeatInterval) < 0) {
      throw new IllegalArgumentException(
          "heartbeatTimeout must be at least heartbeatInterval ("
              + heartbeatInterval
              + ") but was "
              + heartbeatTimeout);
    }
    if (agentMessagesPerSecond < 1 || dashboardMessagesPerSecond < 1) {
      throw new IllegalArgumentException(
          "rate limits must be at least 1 message/s but were "
              + agentMessagesPerSecond
              + " and "
              + dashboardMessagesPerSecond);
    }
    if (maxFrameBytes < 1024) {
      throw new IllegalArgumentException(
          "maxFrameBytes must be at least 1024 but was " + maxFrameBytes);
    }
    if (dashboardQueueLimit < 4096) {
      throw new IllegalArgumentException(
          "dashboardQueueLimit must be at least 4096 bytes but was " + dashboardQueueLimit);
    }
    agentTokens = agentTokens == null ? Map.of() : copyAgentTokens(agentTokens);
    output = output == null ? OutputLimits.defaults() : output;
    agentToken = blankToNull(agentToken);
    dashboardToken = blankToNull(dashboardToken);
    jwtSecret = blankToNull(jwtSecret);
  }

  /**
   * 127.0.0.1, ports 3001/3002, an in-memory database, no credentials ({@link
   * ReferenceBackend#start} generates an agent and a dashboard token where no token or JWT secret
   * is set), heartbeat 15 s / 45 s, rate limits 100 and 50 messages/s, 1 MiB frames, 8 MiB queued
   * per dashboard.
   */
  public static BackendConfig defaults() {
    return new BackendConfig(
        "127.0.0.1",
        3001,
        3002,
        IN_MEMORY,
        null,
        null,
        null,
        Duration.ofSeconds(15),
        Duration.ofSeconds(45),
        100,
        50,
        1024 * 1024,
        8 * 1024 * 1024,
        null,
        Duration.ofHours(1),
        Map.of(),
        OutputLimits.defaults());
  }

  /**
   * For tests: {@link #defaults()} on free ports (0), {@code :memory:}, and a random agent token
   * and dashboard token (read them back from {@link #agentToken()} and {@link #dashboardToken()}).
   */
  public static BackendConfig forTests() {
    return defaults()
        .withPorts(0, 0)
        .withDatabasePath(IN_MEMORY)
        .withAgentToken(randomToken())
        .withDashboardToken(randomToken());
  }

  /** A random token: 24 bytes from {@link SecureRandom}, URL-safe Base64 (32 characters). */
  public static String randomToken() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * This config with a random agent token when it has neither an agent token nor a JWT secret, and
   * a random dashboard token when it has neither a dashboard token nor a JWT secret (as {@code
   * onsembl-agent backend} does); unchanged otherwise. {@link
   * ReferenceBackend#start(BackendConfig)} applies it.
   */
  public BackendConfig withGeneratedTokens() {
    BackendConfig c = this;
    if (agentToken == null && jwtSecret == null && agentTokens.isEmpty()) {
      c = c.withAgentToken(randomToken());
    }
    if (dashboardToken == null && jwtSecret == null) {
      c = c.withDashboardToken(randomToken());
    }
    return c;
  }

  /** {@code ~/.onsembl/backend.db}, the command line's default database. */
  public static Path defaultDatabaseFile() {
    String home =
        System.getenv("HOME"); // as a shell would: Java's user.home ignores $HOME on Linux
    return Path.of(
        home != null && !home.isBlank() ? home : System.getProperty("user.home"),
        ".onsembl",
        "backend.db");
  }

  public boolean inMemory() {
    return IN_MEMORY.equals(databasePath);
  }

  public BackendConfig withHost(String v) {
    return new BackendConfig(
        v,
        wsPort,
        httpPort,
        databasePath,
        agentToken,
        dashboardToken,
        jwtSecret,
        heartbeatInterval,
        heartbeatTimeout,
        agentMessagesPerSecond,
        dashboardMessagesPerSecond,
        maxFrameBytes,
        dashboardQueueLimit,
        tls,
        accessTokenTtl,
        agentTokens,
        output);
  }

  public BackendConfig withWsPort(int v) {
    return new BackendConfig(
        host,
        v,
        httpPort,
        databasePath,
        agentToken,
        dashboardToken,
        jwtSecret,
        heartbeatInterval,
        heartbeatTimeout,
        agentMessagesPerSecond,
        dashboardMessagesPerSecond,
        maxFrameBytes,
        dashboardQueueLimit,
        tls,
        accessTokenTtl,
        agentTokens,
        output);
  }

  public BackendConfig withHttpPort(int v) {
    return new BackendConfig(
        host,
        wsPort,
        v,
        databasePath,
        agentToken,
        dashboardToken,
        jwtSecret,
        heartbeatInterval,
        heartbeatTimeout,
        agentMessagesPerSecond,
        dashboardMessagesPerSecond,
        maxFrameBytes,
        dashboardQueueLimit,
        tls,
        accessTokenTtl,
        agentTokens,
        output);
  }

  /** Both ports at once; {@code withPorts(0, 0)} picks free ports. */
  public BackendConfig withPorts(int ws, int http) {
    return withWsPort(ws).withHttpPort(http);
  }

  public BackendConfig withDatabasePath(String v) {
    return new BackendConfig(
        host,
        wsPort,
        httpPort,
        v,
        agentToken,
        dashboardToken,
        jwtSecret,
        heartbeatInterval,
        heartbeatTimeout,
        agentMessagesPerSecond,
        dashboardMessagesPerSecond,
        maxFrameBytes,
        dashboardQueueLimit,
        tls,
        accessTokenTtl,
        agentTokens,
        output);
  }

  public BackendConfig withDatabaseFile(Path file) {
    return withDatabasePath(file.toAbsolutePath().toString());
  }

  public BackendConfig withAgentToken(String v) {
    return new BackendConfig(
        host,
        wsPort,
        httpPort,
        databasePath,
        v,
        dashboardToken,
        jwtSecret,
        heartbeatInterval,
        heartbeatTimeout,
        agentMessagesPerSecond,
        dashboardMessagesPerSecond,
        maxFrameBytes,
        dashboardQueueLimit,
        tls,
        accessTokenTtl,
        agentTokens,
        output);
  }

  public BackendConfig withDashboardToken(String v) {
    return new BackendConfig(
        host,
        wsPort,
        httpPort,
        databasePath,
        agentToken,
        v,
        jwtSecret,
        heartbeatInterval,
        heartbeatTimeout,
        agentMessagesPerSecond,
        dashboardMessagesPerSecond,
        maxFrameBytes,
        dashboardQueueLimit,
        tls,
        accessTokenTtl,
        agentTokens,
        output);
  }

  public BackendConfig withJwtSecret(String v) {
    return new BackendConfig(
        host,
        wsPort,
        httpPort,
        databasePath,
        agentToken,
        dashboardToken,
        v,
        heartbeatInterval,
        heartbeatTimeout,
        agentMessagesPerSecond,
        dashboardMessagesPerSecond,
        maxFrameBytes,
        dashboardQueueLimit,
        tls,
        accessTokenTtl,
        agentTokens,
        output);
  }

  public BackendConfig withHeartbeat(Duration interval, Duration timeout) {
    return new BackendConfig(
        host,
        wsPort,
        httpPort,
        databasePath,
        agentToken,
        dashboardToken,
        jwtSecret,
        interval,
        timeout,
        agentMessagesPerSecond,
        dashboardMessagesPerSecond,
        maxFrameBytes,
        dashboardQueueLimit,
        tls,
        accessTokenTtl,
        agentTokens,
        output);
  }

  public BackendConfig withRateLimits(int agentPerSecond, int dashboardPerSecond) {
    return new BackendConfig(
        host,
        wsPort,
        httpPort,
        databasePath,
        agentToken,
        dashboardToken,
        jwtSecret,
        heartbeatInterval,
        heartbeatTimeout,
        agentPerSecond,
        dashboardPerSecond,
        maxFrameBytes,
        dashboardQueueLimit,
        tls,
        accessTokenTtl,
        agentTokens,
        output);
  }

  public BackendConfig withMaxFrameBytes(int v) {
    return new BackendConfig(
        host,
        wsPort,
        httpPort,
        databasePath,
        agentToken,
        dashboardToken,
        jwtSecret,
        heartbeatInterval,
        heartbeatTimeout,
        agentMessagesPerSecond,
        dashboardMessagesPerSecond,
        v,
        dashboardQueueLimit,
        tls,
        accessTokenTtl,
        agentTokens,
        output);
  }

  public BackendConfig withDashboardQueueLimit(int v) {
    return new BackendConfig(
        host,
        wsPort,
        httpPort,
        databasePath,
        agentToken,
        dashboardToken,
        jwtSecret,
        heartbeatInterval,
        heartbeatTimeout,
        agentMessagesPerSecond,
        dashboardMessagesPerSecond,
        maxFrameBytes,
        v,
        tls,
        accessTokenTtl,
        agentTokens,
        output);
  }

  /**
   * Serve {@code wss://} and {@code https://} with this server context (see {@link TlsContexts});
   * null for plain {@code ws://} and {@code http://}.
   */
  public BackendConfig withTls(SSLContext v) {
    return new BackendConfig(
        host,
        wsPort,
        httpPort,
        databasePath,
        agentToken,
        dashboardToken,
        jwtSecret,
        heartbeatInterval,
        heartbeatTimeout,
        agentMessagesPerSecond,
        dashboardMessagesPerSecond,
        maxFrameBytes,
        dashboardQueueLimit,
        v,
        accessTokenTtl,
        agentTokens,
        output);
  }

  /**
   * Lifetime of the access tokens issued by the device login ({@code /api/auth/device/token}) and
   * refresh.
   */
  public BackendConfig withAccessTokenTtl(Duration v) {
    return new BackendConfig(
        host,
        wsPort,
        httpPort,
        databasePath,
        agentToken,
        dashboardToken,
        jwtSecret,
        heartbeatInterval,
        heartbeatTimeout,
        agentMessagesPerSecond,
        dashboardMessagesPerSecond,
        maxFrameBytes,
        dashboardQueueLimit,
        tls,
        v,
        agentTokens,
        output);
  }

  /** Fails fast when no credential could ever open an agent or a dashboard connection. */
  /**
   * Agent tokens bound to agent ids: each token opens {@code /ws/agent} only for the agent ids it
   * maps to ({@code "*"} in a set: any id). Works beside (or instead of) the one shared {@link
   * #agentToken()}.
   */
  public BackendConfig withAgentTokens(Map<String, Set<String>> v) {
    return new BackendConfig(
        host,
        wsPort,
        httpPort,
        databasePath,
        agentToken,
        dashboardToken,
        jwtSecret,
        heartbeatInterval,
        heartbeatTimeout,
        agentMessagesPerSecond,
        dashboardMessagesPerSecond,
        maxFrameBytes,
        dashboardQueueLimit,
        tls,
        accessTokenTtl,
        v,
        output);
  }

  public BackendConfig withOutputLimits(OutputLimits v) {
    return new BackendConfig(
        host,
        wsPort,
        httpPort,
        databasePath,
        agentToken,
        dashboardToken,
        jwtSecret,
        heartbeatInterval,
        heartbeatTimeout,
        agentMessagesPerSecond,
        dashboardMessagesPerSecond,
        maxFrameBytes,
        dashboardQueueLimit,
        tls,
        accessTokenTtl,
        agentTokens,
        v);
  }

  private static Map<String, Set<String>> copyAgentTokens(Map<String, Set<String>> tokens) {
    Map<String, Set<String>> copy = new java.util.LinkedHashMap<>();
    tokens.forEach(
        (token, ids) -> {
          if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("agentTokens: a token must not be blank");
          }
          if (ids == null || ids.isEmpty()) {
            throw new IllegalArgumentException(
                "agentTokens: the token ending ..."
                    + tail(token)
                    + " maps to no agent id: expected at least one id or *");
          }
          copy.put(token, Set.copyOf(ids));
        });
    return java.util.Collections.unmodifiableMap(copy);
  }

  private static String tail(String token) {
    return token.length() <= 4 ? "" : token.substring(token.length() - 4);
  }

  public void validateCredentials() {
    if (agentToken == null && jwtSecret == null && agentTokens.isEmpty()) {
      throw new IllegalArgumentException("no agent credential: set an agent token or a JWT secret");
    }
    if (dashboardToken == null && jwtSecret == null) {
      throw new IllegalArgumentException(
          "no dashboard credential: set a dashboard token or a JWT secret");
    }
  }

  @Override
  public String toString() {
    return "BackendConfig[host="
        + host
        + ", wsPort="
        + wsPort
        + ", httpPort="
        + httpPort
        + ", databasePath="
        + databasePath
        + ", agentToken="
        + redact(agentToken)
        + ", dashboardToken="
        + redact(dashboardToken)
        + ", jwtSecret="
        + redact(jwtSecret)
        + ", heartbeatInterval="
        + heartbeatInterval
        + ", heartbeatTimeout="
        + heartbeatTimeout
        + ", agentMessagesPerSecond="
        + agentMessagesPerSecond
        + ", dashboardMessagesPerSecond="
        + dashboardMessagesPerSecond
        + ", maxFrameBytes="
        + maxFrameBytes
        + ", dashboardQueueLimit="
        + dashboardQueueLimit
        + ", tls="
        + (tls != null)
        + ", accessTokenTtl="
        + accessTokenTtl
        + ", agentTokens="
        + agentTokens.size()
        + " bound]";
  }

  private static String redact(String secret) {
    return secret == null ? "none" : "***";
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static void checkPort(String name, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(name + " must be 0..65535 but was " + port);
    }
  }
}
