package ai.onsembl.backend.junit;

import ai.onsembl.protocol.CommandType;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link TestBackend#sendCommand(String, String, CommandOptions)} sends a COMMAND_REQUEST.
 *
 * @param mode the request's {@code type} (NATURAL by default)
 * @param timeLimit {@code executionConstraints.timeLimitMs}, or null to send no constraints
 * @param priority the request's {@code priority} (1 by default)
 */
public record CommandOptions(CommandType mode, Duration timeLimit, int priority) {

  public CommandOptions {
    Objects.requireNonNull(mode, "mode");
    if (timeLimit != null && (timeLimit.isNegative() || timeLimit.isZero())) {
      throw new IllegalArgumentException("timeLimit must be positive but was " + timeLimit);
    }
  }

  /** NATURAL, no time limit, priority 1: what the backend sends for a command from a dashboard. */
  public static CommandOptions defaults() {
    return new CommandOptions(CommandType.NATURAL, null, 1);
  }

  public CommandOptions withMode(CommandType v) {
    return new CommandOptions(v, timeLimit, priority);
  }

  public CommandOptions withTimeLimit(Duration v) {
    return new CommandOptions(mode, v, priority);
  }

  public CommandOptions withPriority(int v) {
    return new CommandOptions(mode, timeLimit, v);
  }
}
