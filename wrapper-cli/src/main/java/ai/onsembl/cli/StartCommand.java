package ai.onsembl.cli;

import ai.onsembl.wrapper.AgentWrapper;
import ai.onsembl.wrapper.command.CommandRunner;
import ai.onsembl.wrapper.command.CommandSettings;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code onsembl-agent start}: parses, resolves the configuration, then runs {@link AgentWrapper}. */
@Command(name = "start", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Start an agent as a supervised child and keep it linked to the backend.",
      "The token comes from ONSEMBL_TOKEN or --token-file, never from argv.",
      "Exit codes: the agent's own when it exits by itself; 128+N after signal N",
      "(0 with --exit-zero-on-signal); 0 after AGENT_CONTROL STOP; 1 internal error;",
      "2 usage or configuration; 3 authentication rejected; 4 backend unreachable",
      "past --give-up-after; 124 shutdown deadline hit."})
public final class StartCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin StartOptions options = new StartOptions();
  @Mixin StateDirOption state = new StateDirOption();

  /** The environment to read ONSEMBL_* from (tests replace it). */
  Map<String, String> env = System.getenv();

  @Override
  public Integer call() {
    StartConfig.Resolved r = StartConfig.resolve(options, env, state.resolve(env), VersionProvider.version());
    CliLogging.configure(r.wrapper().logLevel());
    // Exec-mode commands carry the wrapper's pid in their environment too, so a start after a SIGKILL reaps them.
    Map<String, String> commandEnv = new java.util.HashMap<>(r.commands().environment());
    commandEnv.putAll(AgentWrapper.descendantEnvironment());
    CommandSettings commands = r.commands().withEnvironment(commandEnv);
    return AgentWrapper.create(r.wrapper(), (outbound, agentId, child) ->
        new CommandRunner(commands, outbound, agentId, child)).ownProcess().run();
  }
}
