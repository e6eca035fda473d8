package ai.onsembl.cli;

import ai.onsembl.wrapper.AgentExitException;
import java.io.PrintWriter;

/**
 * How a command's failure ends the process, without picocli: the exit code of an exception and its
 * one line on stderr. {@link ExitCodes} installs it into picocli; {@link StartArgs} uses it
 * directly when {@code start} runs without picocli.
 */
final class Failures {
  static final int USAGE = 2;
  static final int INTERNAL = 1;

  private Failures() {}

  /**
   * {@link AgentExitException}: its own code; {@link IllegalArgumentException}: usage (2); any
   * other: internal (1). (picocli's usage errors are mapped to 2 by {@link ExitCodes} before this.)
   */
  static int exitCode(Throwable t) {
    if (t instanceof AgentExitException e) {
      return e.exitCode();
    }
    if (t instanceof IllegalArgumentException) {
      return USAGE;
    }
    return INTERNAL;
  }

  /**
   * Prints {@code onsembl-agent: MESSAGE} (and the stack trace when ONSEMBL_VERBOSE is set) and
   * returns {@code code}.
   */
  static int report(Exception ex, PrintWriter err, int code) {
    err.println("onsembl-agent: " + ex.getMessage());
    if (verbose()) {
      ex.printStackTrace(err);
    }
    return code;
  }

  /** ONSEMBL_VERBOSE set to anything but {@code 0} or {@code false}. */
  static boolean verbose() {
    String v = System.getenv("ONSEMBL_VERBOSE");
    return v != null && !v.isEmpty() && !v.equals("0") && !v.equalsIgnoreCase("false");
  }
}
