package ai.onsembl.cli;

import picocli.CommandLine;

/**
 * Maps errors to the exit codes the README lists: 2 for usage and configuration, 1 for internal
 * errors. Messages are printed without a stack trace unless the environment sets ONSEMBL_VERBOSE
 * (to anything but {@code 0} or {@code false}); there is no command-line option for it. The mapping
 * itself is {@link Failures}', shared with the start path that runs without picocli.
 */
final class ExitCodes {
  static final int USAGE = Failures.USAGE;
  static final int INTERNAL = Failures.INTERNAL;

  private ExitCodes() {}

  static CommandLine configure(CommandLine cl) {
    cl.setExitCodeExceptionMapper(
        t -> t instanceof CommandLine.ParameterException ? USAGE : Failures.exitCode(t));
    cl.getCommandSpec().exitCodeOnInvalidInput(USAGE);
    cl.setParameterExceptionHandler(
        (ex, args) -> {
          CommandLine c = ex.getCommandLine();
          c.getErr().println("onsembl-agent: " + ex.getMessage());
          if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, c.getErr())) {
            c.getErr()
                .println(
                    "Try '"
                        + c.getCommandSpec().qualifiedName()
                        + " --help' for more information.");
          }
          return USAGE;
        });
    cl.setExecutionExceptionHandler(
        (ex, c, parsed) ->
            Failures.report(ex, c.getErr(), cl.getExitCodeExceptionMapper().getExitCode(ex)));
    return cl;
  }

  /** The "missing a command" usage error of the bare {@code onsembl-agent}. */
  static RuntimeException missingCommand(CommandLine cl) {
    return new CommandLine.ParameterException(
        cl, "Missing a command: start, stop, status, backend, demo");
  }
}
