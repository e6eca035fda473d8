package ai.onsembl.wrapper.command.internal;

import ai.onsembl.protocol.AgentError;
import ai.onsembl.protocol.AgentErrorType;
import ai.onsembl.protocol.CommandAck;
import ai.onsembl.protocol.CommandComplete;
import ai.onsembl.protocol.CommandStatus;
import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.OutputStats;
import java.util.Map;

/** Builders of the frames the runner sends. */
public final class Frames {
  private static final OutputStats NO_OUTPUT = new OutputStats(0L, 0L, 0L);

  private Frames() {}

  public static CommandAck ack(
      String commandId, String agentId, CommandStatus status, Integer queuePosition) {
    return new CommandAck(commandId, agentId, EnumValue.of(status), queuePosition);
  }

  public static CommandComplete complete(
      String commandId, String agentId, Outcome outcome, long executionMillis, OutputStats stats) {
    return new CommandComplete(
        commandId,
        agentId,
        EnumValue.of(outcome.status()),
        outcome.error(),
        executionMillis,
        0L,
        outcome.exitCode(),
        stats == null ? NO_OUTPUT : stats);
  }

  /** A command that never ran (refused, or cancelled while queued). */
  public static CommandComplete notRun(String commandId, String agentId, Outcome outcome) {
    return complete(commandId, agentId, outcome, 0L, NO_OUTPUT);
  }

  public static AgentError executionError(String agentId, String message, String commandId) {
    return new AgentError(
        agentId,
        EnumValue.of(AgentErrorType.EXECUTION),
        message,
        true,
        commandId == null ? null : Map.of("commandId", commandId));
  }
}
