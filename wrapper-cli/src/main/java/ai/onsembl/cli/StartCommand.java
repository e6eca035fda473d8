package ai.onsembl.cli;

import ai.onsembl.wrapper.AgentExitException;
import ai.onsembl.wrapper.AgentWrapper;
import ai.onsembl.wrapper.TokenSource;
import ai.onsembl.wrapper.command.CommandRunner;
import ai.onsembl.wrapper.command.CommandSettings;
import ai.onsembl.wrapper.login.SavedLogin;
import ai.onsembl.wrapper.login.SavedLoginTokens;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code onsembl-agent start}: parses, resolves the configuration, then runs {@link AgentWrapper}.
 */
@Command(
    name = "start",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Start an agent as a supervised child and keep it linked to the backend.",
      "The token comes from ONSEMBL_TOKEN or --token-file, never from argv; without",
      "them, from the saved login of 'onsembl-agent login' (refreshed before it expires).",
      "Exit codes: the agent's own when it exits by itself; 128+N after signal N",
      "(0 with --exit-zero-on-signal); 0 after AGENT_CONTROL STOP; 1 internal error;",
      "2 usage or configuration; 3 authentication rejected; 4 backend unreachable",
      "past --give-up-after; 5 the agent could not be restarted after AGENT_CONTROL",
      "RESTART; 124 shutdown deadline hit."
    })
public final class StartCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin StartOptions options = new StartOptions();
  @Mixin StateDirOption state = new StateDirOption();

  /**
   * Where the interactive-mode notice goes; null: picocli's stderr ({@link StartArgs} sets it when
   * start runs without picocli).
   */
  PrintWriter err;

  /** The environment to read ONSEMBL_* from (tests replace it). */
  Map<String, String> env = System.getenv();

  @Override
  public Integer call() {
    if (options.interactive && options.headless) {
      throw AgentExitException.invalidInput(
          "--interactive and --headless exclude each other: give one");
    }
    StartConfig.Resolved r =
        StartConfig.resolve(options, env, state.resolve(env), BuildVersion.version());
    Path trustStore =
        options.trustStore != null
            ? options.trustStore
            : env.get("ONSEMBL_TRUST_STORE") != null
                ? Path.of(env.get("ONSEMBL_TRUST_STORE"))
                : null;
    if (trustStore != null) {
      // Before any TLS use: the WebSocket client takes the JVM's default context for wss://.
      TrustStore.install(trustStore, env.get(TrustStore.PASSWORD_ENV));
    }
    // Only a terminal on both stdin and stdout switches by itself; a pipe (CI) never does.
    boolean interactive =
        options.interactive || (!options.headless && AgentWrapper.terminalAttached());
    // Exec-mode commands carry the wrapper's pid in their environment too, so a start after a
    // SIGKILL reaps them.
    Map<String, String> commandEnv = new java.util.HashMap<>(r.commands().environment());
    commandEnv.putAll(AgentWrapper.descendantEnvironment());
    CommandSettings commands = r.commands().withEnvironment(commandEnv);
    if (interactive) {
      commands = Interactive.commands(options, commands, r.wrapper());
      Path logFile = Interactive.logFile(r.wrapper());
      CliLogging.configure(r.wrapper().logLevel(), logFile);
      PrintWriter notice = err != null ? err : spec.commandLine().getErr();
      notice.println(
          "onsembl-agent: interactive mode (Ctrl+] then q stops the wrapper; "
              + "dashboard commands are typed into the agent; log: "
              + logFile
              + ")");
      notice.flush();
    } else {
      CliLogging.configure(r.wrapper().logLevel());
    }
    CommandSettings settings = commands;
    AgentWrapper wrapper =
        AgentWrapper.create(
                r.wrapper(),
                (outbound, agentId, child) -> new CommandRunner(settings, outbound, agentId, child))
            .ownProcess();
    if (r.login() != null) {
      wrapper.tokenSource(loginTokens(r.login()));
    }
    return (interactive ? wrapper.interactive() : wrapper).run();
  }

  /** The saved login as the link's token source; says which login it is (never a token). */
  private static TokenSource loginTokens(SavedLogins.Found found) {
    Logger log = LoggerFactory.getLogger(StartCommand.class);
    SavedLogin l = found.login();
    if (found.file().isTypeScript()) {
      log.info(
          "Using the TypeScript wrapper's saved login {} for {} (user {}, access token valid until {})",
          found.file().path(),
          l.serverUrl(),
          l.userId(),
          l.expiresAt());
    } else {
      log.info(
          "Using the saved login {} for {} (user {}, access token valid until {})",
          found.file().path(),
          l.serverUrl(),
          l.userId(),
          l.expiresAt());
    }
    return new SavedLoginTokens(found.file(), l, Clock.systemUTC(), log::info);
  }
}
