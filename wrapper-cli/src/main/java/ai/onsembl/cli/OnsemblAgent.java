package ai.onsembl.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code onsembl-agent} command line. */
@Command(
    name = "onsembl-agent",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Supervises an AI coding agent and keeps its status true on the Onsembl dashboard.",
    subcommands = {
      StartCommand.class,
      StopCommand.class,
      StatusCommand.class,
      BackendCommand.class,
      DemoCommand.class,
      VersionCommand.class,
      CommandLine.HelpCommand.class
    })
public final class OnsemblAgent implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(newCommandLine().execute(args));
  }

  /** The configured command line; tests call {@code execute} on it in process. */
  public static CommandLine newCommandLine() {
    return ExitCodes.configure(new CommandLine(new OnsemblAgent()));
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing a command: start, stop, status, backend, demo");
  }
}
