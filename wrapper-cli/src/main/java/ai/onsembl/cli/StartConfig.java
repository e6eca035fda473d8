package ai.onsembl.cli;

import ai.onsembl.wrapper.AgentExitException;
import ai.onsembl.wrapper.AgentKind;
import ai.onsembl.wrapper.AgentWrapper;
import ai.onsembl.wrapper.WrapperConfig;
import ai.onsembl.wrapper.command.CommandSettings;
import ai.onsembl.wrapper.command.ExecTemplates;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns {@code start}'s flags, the {@code ONSEMBL_*} environment and config.json into a {@link
 * WrapperConfig} and {@link CommandSettings}, with the precedence flag &gt; environment &gt; file
 * &gt; default. Every problem is an {@link AgentExitException} with exit code 2.
 */
final class StartConfig {
  /**
   * The result: the wrapper's config, how commands run, and the saved login the token comes from
   * (null when ONSEMBL_TOKEN or a token file gives it, or when there is no login).
   */
  record Resolved(WrapperConfig wrapper, CommandSettings commands, SavedLogins.Found login) {}

  private final StartOptions o;
  private final Map<String, String> env;
  private final ConfigFile file;

  private StartConfig(StartOptions o, Map<String, String> env, ConfigFile file) {
    this.o = o;
    this.env = env;
    this.file = file;
  }

  static Resolved resolve(StartOptions o, Map<String, String> env, Path stateDir, String version) {
    Path configPath =
        o.config != null
            ? o.config
            : env.containsKey("ONSEMBL_CONFIG")
                ? Path.of(env.get("ONSEMBL_CONFIG"))
                : stateDir.resolve("config.json");
    boolean required = o.config != null || env.containsKey("ONSEMBL_CONFIG");
    return new StartConfig(o, env, ConfigFile.read(configPath, required)).build(stateDir, version);
  }

  private String pick(String flag, String envName, String key) {
    if (flag != null) {
      return flag;
    }
    String e = env.get(envName);
    if (e != null && !e.isBlank()) {
      return e;
    }
    return file.text(key);
  }

  private <T> T pick(T flag, String envName, String key, Function<String, T> parse, T fallback) {
    if (flag != null) {
      return flag;
    }
    String text = pick((String) null, envName, key);
    if (text == null) {
      return fallback;
    }
    try {
      return parse.apply(text);
    } catch (RuntimeException e) {
      throw AgentExitException.invalidInput(
          (env.containsKey(envName) ? envName : "config key " + key) + ": " + e.getMessage());
    }
  }

  private static Duration duration(String text) {
    return Durations.parse(text);
  }

  private static boolean bool(String text) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    if (t.equals("true") || t.equals("1") || t.equals("yes")) {
      return true;
    }
    if (t.equals("false") || t.equals("0") || t.equals("no")) {
      return false;
    }
    throw new IllegalArgumentException("expected true or false but got '" + text + "'");
  }

  private Resolved build(Path stateDir, String version) {
    List<String> command =
        o.command != null && !o.command.isEmpty() ? o.command : file.list("command");
    boolean hasCommand = command != null && !command.isEmpty();
    String agentText = pick(o.agent, "ONSEMBL_AGENT", "agent");
    AgentKind kind =
        agentText != null
            ? AgentKind.parse(agentText)
            : hasCommand ? AgentKind.CUSTOM : AgentKind.CLAUDE;
    URI server;
    String serverText = pick(o.server, "ONSEMBL_SERVER_URL", "server");
    String token = token();
    SavedLogins.Found login = token == null ? SavedLogins.find(stateDir) : null;
    if (serverText == null && login != null) {
      // No server given: the one the login is for (its WebSocket side on the same host and port).
      serverText = SavedLogins.webSocketUrl(login.login().serverUrl());
    }
    try {
      server = serverText == null ? WrapperConfig.DEFAULT_SERVER : new URI(serverText.trim());
    } catch (java.net.URISyntaxException e) {
      throw AgentExitException.invalidInput(
          "--server: expected a ws:// URL but got '" + serverText + "'");
    }
    String level = pick(o.logLevel, "ONSEMBL_LOG_LEVEL", "logLevel");
    Path workingDir =
        pick(
            o.workingDir,
            "ONSEMBL_WORKING_DIR",
            "workingDir",
            Path::of,
            Path.of(System.getProperty("user.dir")));
    WrapperConfig c =
        WrapperConfig.defaults()
            .withStateDir(stateDir)
            .withServerUrl(server)
            .withAgentKind(kind)
            .withCommand(hasCommand ? command : List.of())
            .withName(pick(o.name, "ONSEMBL_AGENT_NAME", "name"))
            .withAgentId(pick(o.agentId, "ONSEMBL_AGENT_ID", "agentId"))
            .withToken(login != null ? login.login().accessToken() : token)
            .withHeartbeatInterval(
                pick(
                    o.heartbeatInterval,
                    "ONSEMBL_HEARTBEAT_INTERVAL",
                    "heartbeatInterval",
                    StartConfig::duration,
                    Duration.ofSeconds(15)))
            .withChildGrace(
                pick(
                    o.childGrace,
                    "ONSEMBL_CHILD_GRACE",
                    "childGrace",
                    StartConfig::duration,
                    Duration.ofSeconds(5)))
            .withFlushTimeout(
                pick(
                    o.flushTimeout,
                    "ONSEMBL_FLUSH_TIMEOUT",
                    "flushTimeout",
                    StartConfig::duration,
                    Duration.ofSeconds(2)))
            .withShutdownTimeout(
                pick(
                    o.shutdownTimeout,
                    "ONSEMBL_SHUTDOWN_TIMEOUT",
                    "shutdownTimeout",
                    StartConfig::duration,
                    Duration.ofSeconds(7)))
            .withGiveUpAfter(
                pick(
                    o.giveUpAfter,
                    "ONSEMBL_GIVE_UP_AFTER",
                    "giveUpAfter",
                    StartConfig::duration,
                    null))
            .withExitZeroOnSignal(
                pick(
                    o.exitZeroOnSignal,
                    "ONSEMBL_EXIT_ZERO_ON_SIGNAL",
                    "exitZeroOnSignal",
                    StartConfig::bool,
                    false))
            .withWorkingDir(workingDir.toAbsolutePath())
            .withLogLevel(logLevel(level))
            .withVersion(version);
    return new Resolved(c, commandSettings(c), login);
  }

  private static String logLevel(String level) {
    try {
      return level == null ? "info" : CliLogging.normalize(level);
    } catch (RuntimeException e) {
      throw AgentExitException.invalidInput("--log-level: " + e.getMessage());
    }
  }

  /** ONSEMBL_TOKEN or a token file; the token never comes from argv and is never logged. */
  private String token() {
    Path tokenFile = o.tokenFile;
    if (tokenFile == null) {
      String t = env.get("ONSEMBL_TOKEN");
      if (t != null && !t.isBlank()) {
        return t.trim();
      }
      String f = env.get("ONSEMBL_TOKEN_FILE");
      if (f == null || f.isBlank()) {
        f = file.text("tokenFile");
      }
      tokenFile = f == null ? null : Path.of(f);
    }
    if (tokenFile == null) {
      return null;
    }
    try {
      String t = Files.readString(tokenFile).trim();
      if (t.isEmpty()) {
        throw AgentExitException.invalidInput("--token-file: " + tokenFile + " is empty");
      }
      return t;
    } catch (IOException e) {
      throw AgentExitException.invalidInput(
          "--token-file: cannot read " + tokenFile + ": " + e.getMessage());
    }
  }

  private CommandSettings commandSettings(WrapperConfig c) {
    AgentKind kind = c.agentKind();
    String modeText = pick(o.mode, "ONSEMBL_MODE", "mode");
    CommandSettings.Mode mode;
    try {
      mode =
          modeText != null
              ? CommandSettings.Mode.parse(modeText)
              : switch (kind) {
                case CLAUDE, GEMINI, CODEX -> CommandSettings.Mode.EXEC;
                default -> CommandSettings.Mode.SESSION;
              };
    } catch (IllegalArgumentException e) {
      throw AgentExitException.invalidInput("--mode: " + e.getMessage());
    }
    int concurrency =
        pick(o.concurrency, "ONSEMBL_CONCURRENCY", "concurrency", Integer::parseInt, 1);
    String template = pick(o.execTemplate, "ONSEMBL_EXEC_TEMPLATE", "execTemplate");
    CommandSettings s;
    try {
      if (mode == CommandSettings.Mode.SESSION) {
        s = CommandSettings.forAgent(kind.id(), mode);
      } else if (template != null) {
        s =
            CommandSettings.forAgent("mock", mode)
                .withExecTemplate(ExecTemplates.parse(template))
                .withSessionCompletion(
                    kind == AgentKind.MOCK
                        ? ai.onsembl.wrapper.command.SessionCompletion.mockAgent()
                        : ai.onsembl.wrapper.command.SessionCompletion.defaults());
      } else if (kind == AgentKind.MOCK) {
        s =
            CommandSettings.forAgent("mock", mode)
                .withExecTemplate(ExecTemplates.mock(Path.of(AgentWrapper.commandOf(c).get(0))));
      } else if (kind == AgentKind.CUSTOM) {
        throw AgentExitException.invalidInput(
            "--mode exec with a custom agent needs --exec-template");
      } else {
        s = CommandSettings.forAgent(kind.id(), mode);
      }
      return s.withConcurrency(concurrency).withWorkingDirectory(c.workingDir());
    } catch (IllegalArgumentException e) {
      throw AgentExitException.invalidInput(e.getMessage());
    }
  }
}
