package ai.onsembl.wrapper.command.internal;

import ai.onsembl.protocol.CommandStatus;

/**
 * How a command ended, as COMMAND_COMPLETE tells it. {@code exitCode} is null when there is none.
 */
public record Outcome(CommandStatus status, String error, Integer exitCode) {
  /** The process ended by itself: COMPLETED on 0, else FAILED "exit code N". */
  public static Outcome exited(Integer exitCode) {
    if (exitCode == null || exitCode == 0) {
      return new Outcome(CommandStatus.COMPLETED, null, exitCode);
    }
    return new Outcome(CommandStatus.FAILED, "exit code " + exitCode, exitCode);
  }

  public static Outcome failed(String error) {
    return new Outcome(CommandStatus.FAILED, error, null);
  }

  public static Outcome cancelled(String reason) {
    return new Outcome(CommandStatus.CANCELLED, reason, null);
  }

  public Outcome withExitCode(Integer code) {
    return new Outcome(status, error, code);
  }
}
