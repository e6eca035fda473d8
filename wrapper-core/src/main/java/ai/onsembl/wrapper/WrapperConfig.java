package ai.onsembl.wrapper;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything {@code onsembl-agent start} needs, as one immutable value with {@code with…} copies.
 * The CLI fills it with the precedence flag &gt; {@code ONSEMBL_*} environment &gt; config file
 * &gt; {@link #defaults()}. {@link #toString()} never shows the token.
 *
 * @param serverUrl the backend, {@code ws://host:port}; the path {@code /ws/agent} is added when
 *     none is given
 * @param agentKind picks {@link #agentType()} and, unless {@code command} is given, the command
 * @param command the agent command and its arguments (empty: the kind's default)
 * @param name a human name; the stable agent id is kept per name
 * @param agentId the agent id announced in AGENT_CONNECT (null: derive from the name)
 * @param token the backend token; null for none
 * @param heartbeatInterval AGENT_HEARTBEAT period until the server says otherwise
 *     (SERVER_HEARTBEAT)
 * @param childGrace SIGTERM → SIGKILL grace for the child's process tree
 * @param flushTimeout how long shutdown waits for AGENT_DISCONNECT and the close handshake
 * @param shutdownTimeout hard deadline of the whole shutdown; past it the process halts with 124
 * @param giveUpAfter exit 4 when the backend stays unreachable this long; null for never
 * @param exitZeroOnSignal exit 0 instead of 128+N when stopped by a signal (systemd)
 * @param workingDir where the child runs
 * @param stateDir where agent ids and run files live ({@code ~/.onsembl})
 * @param logLevel error, warn, info, debug or trace
 * @param reconnectMin first reconnect backoff ceiling (1 s)
 * @param reconnectMax backoff cap (30 s)
 * @param connectTimeout how long one connection attempt may take to open and be acknowledged
 * @param version the wrapper's version, announced in AGENT_CONNECT
 */
public record WrapperConfig(
    URI serverUrl,
    AgentKind agentKind,
    List<String> command,
    String name,
    String agentId,
    String token,
    Duration heartbeatInterval,
    Duration childGrace,
    Duration flushTimeout,
    Duration shutdownTimeout,
    Duration giveUpAfter,
    boolean exitZeroOnSignal,
    Path workingDir,
    Path stateDir,
    String logLevel,
    Duration reconnectMin,
    Duration reconnectMax,
    Duration connectTimeout,
    String version) {

  public static final URI DEFAULT_SERVER = URI.create("ws://localhost:3001");

  public WrapperConfig {
    Objects.requireNonNull(serverUrl, "serverUrl");
    Objects.requireNonNull(agentKind, "agentKind");
    command = command == null ? List.of() : List.copyOf(command);
    Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
    Objects.requireNonNull(childGrace, "childGrace");
    Objects.requireNonNull(flushTimeout, "flushTimeout");
    Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
    Objects.requireNonNull(workingDir, "workingDir");
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(reconnectMin, "reconnectMin");
    Objects.requireNonNull(reconnectMax, "reconnectMax");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    positive("heartbeatInterval", heartbeatInterval);
    positive("shutdownTimeout", shutdownTimeout);
    positive("reconnectMin", reconnectMin);
    positive("connectTimeout", connectTimeout);
    notNegative("childGrace", childGrace);
    notNegative("flushTimeout", flushTimeout);
    if (giveUpAfter != null) {
      notNegative("giveUpAfter", giveUpAfter);
    }
    if (reconnectMax.compareTo(reconnectMin) < 0) {
      throw AgentExitException.invalidInput(
          "reconnectMax (" + reconnectMax + ") is below reconnectMin (" + reconnectMin + ")");
    }
    String scheme = serverUrl.getScheme();
    if (!"ws".equals(scheme) && !"wss".equals(scheme)) {
      throw AgentExitException.invalidInput(
          "--server: expected a ws:// or wss:// URL but got '" + serverUrl + "'");
    }
    if (name == null || name.isBlank()) {
      name = agentKind.id();
    }
    logLevel = logLevel == null ? "info" : logLevel;
    version = version == null ? "0.0.0" : version;
  }

  /**
   * {@code $HOME/.onsembl}: {@code HOME} from {@code env} first, as a shell would (Java's {@code
   * user.home} ignores {@code $HOME} on Linux), else {@code user.home}.
   */
  public static Path defaultStateDir(java.util.Map<String, String> env) {
    String home = env.get("HOME");
    return Path.of(
        home != null && !home.isBlank() ? home : System.getProperty("user.home"), ".onsembl");
  }

  /**
   * The documented defaults: localhost:3001, claude, 15 s heartbeat, 5 s / 2 s / 7 s shutdown,
   * reconnect 1 s → 30 s.
   */
  public static WrapperConfig defaults() {
    return new WrapperConfig(
        DEFAULT_SERVER,
        AgentKind.CLAUDE,
        List.of(),
        null,
        null,
        null,
        Duration.ofSeconds(15),
        Duration.ofSeconds(5),
        Duration.ofSeconds(2),
        Duration.ofSeconds(7),
        null,
        false,
        Path.of(System.getProperty("user.dir")),
        defaultStateDir(System.getenv()),
        "info",
        Duration.ofSeconds(1),
        Duration.ofSeconds(30),
        Duration.ofSeconds(10),
        null);
  }

  /**
   * The agent endpoint: {@code serverUrl}, with {@code /ws/agent} when it has no path of its own.
   */
  public URI agentEndpoint() {
    String path = serverUrl.getPath();
    if (path == null || path.isEmpty() || path.equals("/")) {
      return serverUrl.resolve("/ws/agent");
    }
    return serverUrl;
  }

  /** What AGENT_CONNECT announces. */
  public ai.onsembl.protocol.AgentType agentType() {
    return agentKind.agentType();
  }

  public WrapperConfig withServerUrl(URI v) {
    return new WrapperConfig(
        v,
        agentKind,
        command,
        name,
        agentId,
        token,
        heartbeatInterval,
        childGrace,
        flushTimeout,
        shutdownTimeout,
        giveUpAfter,
        exitZeroOnSignal,
        workingDir,
        stateDir,
        logLevel,
        reconnectMin,
        reconnectMax,
        connectTimeout,
        version);
  }

  public WrapperConfig withAgentKind(AgentKind v) {
    return new WrapperConfig(
        serverUrl,
        v,
        command,
        name,
        agentId,
        token,
        heartbeatInterval,
        childGrace,
        flushTimeout,
        shutdownTimeout,
        giveUpAfter,
        exitZeroOnSignal,
        workingDir,
        stateDir,
        logLevel,
        reconnectMin,
        reconnectMax,
        connectTimeout,
        version);
  }

  public WrapperConfig withCommand(List<String> v) {
    return new WrapperConfig(
        serverUrl,
        agentKind,
        v,
        name,
        agentId,
        token,
        heartbeatInterval,
        childGrace,
        flushTimeout,
        shutdownTimeout,
        giveUpAfter,
        exitZeroOnSignal,
        workingDir,
        stateDir,
        logLevel,
        reconnectMin,
        reconnectMax,
        connectTimeout,
        version);
  }

  public WrapperConfig withName(String v) {
    return new WrapperConfig(
        serverUrl,
        agentKind,
        command,
        v,
        agentId,
        token,
        heartbeatInterval,
        childGrace,
        flushTimeout,
        shutdownTimeout,
        giveUpAfter,
        exitZeroOnSignal,
        workingDir,
        stateDir,
        logLevel,
        reconnectMin,
        reconnectMax,
        connectTimeout,
        version);
  }

  public WrapperConfig withAgentId(String v) {
    return new WrapperConfig(
        serverUrl,
        agentKind,
        command,
        name,
        v,
        token,
        heartbeatInterval,
        childGrace,
        flushTimeout,
        shutdownTimeout,
        giveUpAfter,
        exitZeroOnSignal,
        workingDir,
        stateDir,
        logLevel,
        reconnectMin,
        reconnectMax,
        connectTimeout,
        version);
  }

  public WrapperConfig withToken(String v) {
    return new WrapperConfig(
        serverUrl,
        agentKind,
        command,
        name,
        agentId,
        v,
        heartbeatInterval,
        childGrace,
        flushTimeout,
        shutdownTimeout,
        giveUpAfter,
        exitZeroOnSignal,
        workingDir,
        stateDir,
        logLevel,
        reconnectMin,
        reconnectMax,
        connectTimeout,
        version);
  }

  public WrapperConfig withHeartbeatInterval(Duration v) {
    return new WrapperConfig(
        serverUrl,
        agentKind,
        command,
        name,
        agentId,
        token,
        v,
        childGrace,
        flushTimeout,
        shutdownTimeout,
        giveUpAfter,
        exitZeroOnSignal,
        workingDir,
        stateDir,
        logLevel,
        reconnectMin,
        reconnectMax,
        connectTimeout,
        version);
  }

  public WrapperConfig withChildGrace(Duration v) {
    return new WrapperConfig(
        serverUrl,
        agentKind,
        command,
        name,
        agentId,
        token,
        heartbeatInterval,
        v,
        flushTimeout,
        shutdownTimeout,
        giveUpAfter,
        exitZeroOnSignal,
        workingDir,
        stateDir,
        logLevel,
        reconnectMin,
        reconnectMax,
        connectTimeout,
        version);
  }

  public WrapperConfig withFlushTimeout(Duration v) {
    return new WrapperConfig(
        serverUrl,
        agentKind,
        command,
        name,
        agentId,
        token,
        heartbeatInterval,
        childGrace,
        v,
        shutdownTimeout,
        giveUpAfter,
        exitZeroOnSignal,
        workingDir,
        stateDir,
        logLevel,
        reconnectMin,
        reconnectMax,
        connectTimeout,
        version);
  }

  public WrapperConfig withShutdownTimeout(Duration v) {
    return new WrapperConfig(
        serverUrl,
        agentKind,
        command,
        name,
        agentId,
        token,
        heartbeatInterval,
        childGrace,
        flushTimeout,
        v,
        giveUpAfter,
        exitZeroOnSignal,
        workingDir,
        stateDir,
        logLevel,
        reconnectMin,
        reconnectMax,
        connectTimeout,
        version);
  }

  public WrapperConfig withGiveUpAfter(Duration v) {
    return new WrapperConfig(
        serverUrl,
        agentKind,
        command,
        name,
        agentId,
        token,
        heartbeatInterval,
        childGrace,
        flushTimeout,
        shutdownTimeout,
        v,
        exitZeroOnSignal,
        workingDir,
        stateDir,
        logLevel,
        reconnectMin,
        reconnectMax,
        connectTimeout,
        version);
  }

  public WrapperConfig withExitZeroOnSignal(boolean v) {
    return new WrapperConfig(
        serverUrl,
        agentKind,
        command,
        name,
        agentId,
        token,
        heartbeatInterval,
        childGrace,
        flushTimeout,
        shutdownTimeout,
        giveUpAfter,
        v,
        workingDir,
        stateDir,
        logLevel,
        reconnectMin,
        reconnectMax,
        connectTimeout,
        version);
  }

  public WrapperConfig withWorkingDir(Path v) {
    return new WrapperConfig(
        serverUrl,
        agentKind,
        command,
        name,
        agentId,
        token,
        heartbeatInterval,
        childGrace,
        flushTimeout,
        shutdownTimeout,
        giveUpAfter,
        exitZeroOnSignal,
        v,
        stateDir,
        logLevel,
        reconnectMin,
        reconnectMax,
        connectTimeout,
        version);
  }

  public WrapperConfig withStateDir(Path v) {
    return new WrapperConfig(
        serverUrl,
        agentKind,
        command,
        name,
        agentId,
        token,
        heartbeatInterval,
        childGrace,
        flushTimeout,
        shutdownTimeout,
        giveUpAfter,
        exitZeroOnSignal,
        workingDir,
        v,
        logLevel,
        reconnectMin,
        reconnectMax,
        connectTimeout,
        version);
  }

  public WrapperConfig withLogLevel(String v) {
    return new WrapperConfig(
        serverUrl,
        agentKind,
        command,
        name,
        agentId,
        token,
        heartbeatInterval,
        childGrace,
        flushTimeout,
        shutdownTimeout,
        giveUpAfter,
        exitZeroOnSignal,
        workingDir,
        stateDir,
        v,
        reconnectMin,
        reconnectMax,
        connectTimeout,
        version);
  }

  /** Backoff bounds: full jitter between 0 and min(max, min·2^attempt). */
  public WrapperConfig withReconnect(Duration min, Duration max) {
    return new WrapperConfig(
        serverUrl,
        agentKind,
        command,
        name,
        agentId,
        token,
        heartbeatInterval,
        childGrace,
        flushTimeout,
        shutdownTimeout,
        giveUpAfter,
        exitZeroOnSignal,
        workingDir,
        stateDir,
        logLevel,
        min,
        max,
        connectTimeout,
        version);
  }

  public WrapperConfig withConnectTimeout(Duration v) {
    return new WrapperConfig(
        serverUrl,
        agentKind,
        command,
        name,
        agentId,
        token,
        heartbeatInterval,
        childGrace,
        flushTimeout,
        shutdownTimeout,
        giveUpAfter,
        exitZeroOnSignal,
        workingDir,
        stateDir,
        logLevel,
        reconnectMin,
        reconnectMax,
        v,
        version);
  }

  public WrapperConfig withVersion(String v) {
    return new WrapperConfig(
        serverUrl,
        agentKind,
        command,
        name,
        agentId,
        token,
        heartbeatInterval,
        childGrace,
        flushTimeout,
        shutdownTimeout,
        giveUpAfter,
        exitZeroOnSignal,
        workingDir,
        stateDir,
        logLevel,
        reconnectMin,
        reconnectMax,
        connectTimeout,
        v);
  }

  @Override
  public String toString() {
    return "WrapperConfig[serverUrl="
        + serverUrl
        + ", agentKind="
        + agentKind
        + ", command="
        + command
        + ", name="
        + name
        + ", agentId="
        + agentId
        + ", token="
        + (token == null ? "none" : "***")
        + ", heartbeatInterval="
        + heartbeatInterval
        + ", childGrace="
        + childGrace
        + ", flushTimeout="
        + flushTimeout
        + ", shutdownTimeout="
        + shutdownTimeout
        + ", giveUpAfter="
        + giveUpAfter
        + ", exitZeroOnSignal="
        + exitZeroOnSignal
        + ", workingDir="
        + workingDir
        + ", stateDir="
        + stateDir
        + ", logLevel="
        + logLevel
        + "]";
  }

  private static void positive(String what, Duration d) {
    if (d.isZero() || d.isNegative()) {
      throw AgentExitException.invalidInput(what + ": expected a positive duration but got " + d);
    }
  }

  private static void notNegative(String what, Duration d) {
    if (d.isNegative()) {
      throw AgentExitException.invalidInput(
          what + ": expected a duration of zero or more but got " + d);
    }
  }
}
