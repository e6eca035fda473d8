package ai.onsembl.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code onsembl-agent} command line. */
@Command(
    name = "onsembl-agent",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description =
        "Supervises an AI coding agent and keeps its status true on the Onsembl dashboard.")
public final class OnsemblAgent implements Runnable {
  /**
   * Every subcommand, in help order. Registered in code, not in {@code @Command(subcommands)}:
   * picocli builds the model of each registered command by reflection, so a {@code start} that
   * registered the backend and demo commands too would load and introspect their classes (and the
   * reference backend's) on every launch.
   */
  private static final List<String> SUBCOMMANDS =
      List.of("start", "stop", "status", "login", "logout", "backend", "demo", "version", "help");

  /** The class of subcommand {@code name}; a class literal is loaded only when its case runs. */
  private static Class<?> subcommand(String name) {
    switch (name) {
      case "start":
        return StartCommand.class;
      case "stop":
        return StopCommand.class;
      case "status":
        return StatusCommand.class;
      case "login":
        return LoginCommand.class;
      case "logout":
        return LogoutCommand.class;
      case "backend":
        return BackendCommand.class;
      case "demo":
        return DemoCommand.class;
      case "version":
        return VersionCommand.class;
      case "help":
        return CommandLine.HelpCommand.class;
      default:
        throw new IllegalArgumentException("no subcommand " + name);
    }
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /**
   * An ordinary {@code start} runs without picocli ({@link StartArgs}); everything else, and any
   * {@code start} command line the hand-written parser is not sure of, through picocli.
   */
  public static void main(String[] args) {
    StartArgs start = StartArgs.parse(args);
    System.exit(start != null ? start.run() : newCommandLine(args).execute(args));
  }

  /**
   * The configured command line with every subcommand; tests call {@code execute} on it in process.
   * Not public, nor is any method with a picocli type in its signature: the launcher's lookup of
   * {@code main} resolves the types of every public method, and {@code start} loads no picocli.
   */
  static CommandLine newCommandLine() {
    return newCommandLine(new String[0]);
  }

  /**
   * The command line for {@code args}: when the first argument names a subcommand (other than
   * help), only that one is registered; otherwise (no command, an option, help, a typo to suggest a
   * fix for) all of them.
   */
  static CommandLine newCommandLine(String[] args) {
    CommandLine cl = new CommandLine(new OnsemblAgent());
    String first = args.length > 0 ? args[0] : "";
    boolean one = SUBCOMMANDS.contains(first) && !first.equals("help");
    for (String name : one ? List.of(first) : SUBCOMMANDS) {
      cl.addSubcommand(name, subcommand(name));
    }
    return ExitCodes.configure(cl);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
    // built in ExitCodes: a `throw new ParameterException` here would make the verifier load
    // picocli
    // with this class, on the start path too
    throw ExitCodes.missingCommand(spec.commandLine());
  }
}
