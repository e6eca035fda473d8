package ai.onsembl.protocol;

/** A command's status in COMMAND_ACK, COMMAND_COMPLETE and COMMAND_STATUS. */
public enum CommandStatus {
  RECEIVED,
  PENDING,
  QUEUED,
  EXECUTING,
  COMPLETED,
  FAILED,
  CANCELLED,
  UNKNOWN
}
