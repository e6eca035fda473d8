package ai.onsembl.wrapper;

/**
 * A failure that ends the wrapper with a specific exit code (the README lists them). The CLI prints
 * the message and exits with {@link #exitCode()}; the stack trace only when the environment sets
 * ONSEMBL_VERBOSE.
 */
public class AgentExitException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public static final int INTERNAL = 1;
  public static final int USAGE = 2;
  public static final int AUTH_REJECTED = 3;
  public static final int BACKEND_UNREACHABLE = 4;

  /** AGENT_CONTROL RESTART could not start the agent again (every attempt failed). */
  public static final int RESTART_FAILED = 5;

  public static final int SHUTDOWN_DEADLINE = 124;

  private final int exitCode;

  public AgentExitException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public AgentExitException(int exitCode, String message) {
    this(exitCode, message, null);
  }

  public int exitCode() {
    return exitCode;
  }

  /** Bad flags, configuration, a missing agent binary, an unreachable working directory: exit 2. */
  public static AgentExitException invalidInput(String message) {
    return new AgentExitException(USAGE, message);
  }

  /** The backend refused our token: exit 3. */
  public static AgentExitException authRejected(String message) {
    return new AgentExitException(AUTH_REJECTED, message);
  }

  /** The backend stayed unreachable past --give-up-after: exit 4. */
  public static AgentExitException unreachable(String message) {
    return new AgentExitException(BACKEND_UNREACHABLE, message);
  }
}
