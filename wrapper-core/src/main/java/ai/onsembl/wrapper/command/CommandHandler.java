package ai.onsembl.wrapper.command;

import ai.onsembl.protocol.CommandCancel;
import ai.onsembl.protocol.CommandRequest;
import ai.onsembl.protocol.EmergencyStop;
import java.time.Duration;

/**
 * What the backend link calls when the backend asks for command work. Implemented by the command
 * runner; every method returns quickly (work runs on the runner's own threads) and is safe from any
 * thread.
 */
public interface CommandHandler {
  void onCommandRequest(CommandRequest request);

  void onCommandCancel(CommandCancel cancel);

  /** Cancel every command at once, forcibly. */
  void onEmergencyStop(EmergencyStop stop);

  /** Stop starting commands; new requests are acknowledged QUEUED. */
  void pause();

  /** Start queued commands again. */
  void resume();

  /**
   * Shutdown: refuse new work, cancel running and queued commands (COMMAND_COMPLETE CANCELLED with
   * {@code reason}), and return once all are completed or {@code grace} has passed.
   */
  void cancelAll(String reason, Duration grace);

  /** Counters for AGENT_HEARTBEAT health metrics. */
  CommandStats stats();

  /** Counters for AGENT_HEARTBEAT: commands completed and their mean execution time. */
  record CommandStats(long commandsProcessed, double averageResponseTimeMillis) {}
}
