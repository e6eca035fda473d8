package ai.onsembl.cli;

import ai.onsembl.wrapper.AgentExitException;
import picocli.CommandLine;

/**
 * Maps errors to the exit codes the README lists: 2 for usage and configuration, 1 for internal
 * errors. Messages are printed without a stack trace unless the environment sets ONSEMBL_VERBOSE
 * (to anything but {@code 0} or {@code false}); there is no command-line option for it.
 */
final class ExitCodes {
  static final int USAGE = 2;
  static final int INTERNAL = 1;

  private ExitCodes() {}

  static CommandLine configure(CommandLine cl) {
    cl.setExitCodeExceptionMapper(
        t -> {
          if (t instanceof AgentExitException e) {
            return e.exitCode();
          }
          if (t instanceof CommandLine.ParameterException
              || t instanceof IllegalArgumentException) {
            return USAGE;
          }
          return INTERNAL;
        });
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
        (ex, c, parsed) -> {
          c.getErr().println("onsembl-agent: " + ex.getMessage());
          if (verbose()) {
            ex.printStackTrace(c.getErr());
          }
          return cl.getExitCodeExceptionMapper().getExitCode(ex);
        });
    return cl;
  }

  static boolean verbose() {
    String v = System.getenv("ONSEMBL_VERBOSE");
    return v != null && !v.isEmpty() && !v.equals("0") && !v.equalsIgnoreCase("false");
  }
}
