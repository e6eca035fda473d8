package ai.onsembl.protocol;

/** The kind of a COMMAND_REQUEST. */
public enum CommandType {
  NATURAL,
  INVESTIGATE,
  REVIEW,
  PLAN,
  SYNTHESIZE,
  UNKNOWN
}
