package ai.onsembl.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The flags of {@code start}. None has a default here: a flag that was not given is null, so {@link
 * StartConfig} can apply flag &gt; ONSEMBL_* environment &gt; config.json &gt; default.
 */
public final class StartOptions {
  @Option(
      names = "--server",
      paramLabel = "URL",
      description =
          "Backend URL, ws:// or wss:// (env ONSEMBL_SERVER_URL; key server; default ws://localhost:3001).")
  String server;

  @Option(
      names = "--agent",
      paramLabel = "KIND",
      description =
          "claude|gemini|codex|mock|custom (env ONSEMBL_AGENT; key agent; default claude, custom with -- COMMAND).")
  String agent;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      description =
          "Agent name; the stable agent id is kept per name (env ONSEMBL_AGENT_NAME; key name; default the kind).")
  String name;

  @Option(
      names = "--agent-id",
      paramLabel = "ID",
      description =
          "Agent id (env ONSEMBL_AGENT_ID; key agentId; default: stable id kept per name in the state dir).")
  String agentId;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description =
          "File holding the backend token (else env ONSEMBL_TOKEN, env ONSEMBL_TOKEN_FILE, key tokenFile). Never on argv.")
  Path tokenFile;

  @Option(
      names = "--trust-store",
      paramLabel = "FILE",
      description =
          "Certificates to trust for wss://: PEM, or PKCS12 with env "
              + TrustStore.PASSWORD_ENV
              + " (env ONSEMBL_TRUST_STORE; default the JVM's).")
  Path trustStore;

  @Option(
      names = "--heartbeat-interval",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "AGENT_HEARTBEAT period until the server says otherwise (env ONSEMBL_HEARTBEAT_INTERVAL; key heartbeatInterval; default 15s).")
  Duration heartbeatInterval;

  @Option(
      names = "--child-grace",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "SIGTERM to SIGKILL grace for the agent's process tree (env ONSEMBL_CHILD_GRACE; key childGrace; default 5s).")
  Duration childGrace;

  @Option(
      names = "--flush-timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "How long shutdown waits for an exited agent's last output, and then for the goodbye and close handshake (env ONSEMBL_FLUSH_TIMEOUT; key flushTimeout; default 2s).")
  Duration flushTimeout;

  @Option(
      names = "--shutdown-timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Hard deadline of a shutdown; past it exit 124 (env ONSEMBL_SHUTDOWN_TIMEOUT; key shutdownTimeout; default 7s).")
  Duration shutdownTimeout;

  @Option(
      names = "--give-up-after",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Exit 4 when the backend stays unreachable this long (env ONSEMBL_GIVE_UP_AFTER; key giveUpAfter; default never).")
  Duration giveUpAfter;

  @Option(
      names = "--exit-zero-on-signal",
      arity = "0..1",
      fallbackValue = "true",
      paramLabel = "BOOL",
      description =
          "Exit 0 instead of 128+N when stopped by a signal (env ONSEMBL_EXIT_ZERO_ON_SIGNAL; key exitZeroOnSignal).")
  Boolean exitZeroOnSignal;

  @Option(
      names = "--working-dir",
      paramLabel = "DIR",
      description =
          "Where the agent runs (env ONSEMBL_WORKING_DIR; key workingDir; default the current directory).")
  Path workingDir;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Config file (env ONSEMBL_CONFIG; default <state dir>/config.json).")
  Path config;

  @Option(
      names = "--log-level",
      paramLabel = "LEVEL",
      description =
          "error|warn|info|debug|trace (env ONSEMBL_LOG_LEVEL; key logLevel; default info).")
  String logLevel;

  @Option(
      names = "--mode",
      paramLabel = "MODE",
      description =
          "How commands run: session|exec (env ONSEMBL_MODE; key mode; default exec for claude/gemini/codex, session otherwise).")
  String mode;

  @Option(
      names = "--exec-template",
      paramLabel = "TEMPLATE",
      description =
          "Exec-mode command with {prompt} (env ONSEMBL_EXEC_TEMPLATE; key execTemplate; default per agent).")
  String execTemplate;

  @Option(
      names = "--concurrency",
      paramLabel = "N",
      description = "Commands run at once (env ONSEMBL_CONCURRENCY; key concurrency; default 1).")
  Integer concurrency;

  @Option(
      names = "--interactive",
      description =
          "Run the agent in a pseudo-terminal in this terminal while the dashboard watches (the default when stdin and stdout are a terminal). Ctrl+] then q stops the wrapper.")
  boolean interactive;

  @Option(
      names = "--headless",
      description =
          "Never interactive: the agent's stdin/stdout are pipes (session or exec mode), even in a terminal.")
  boolean headless;

  @Parameters(
      paramLabel = "COMMAND",
      arity = "0..*",
      description =
          "After --: the agent command and its arguments (wrapped as CUSTOM unless --agent says otherwise).")
  List<String> command;
}
