package ai.onsembl.protocol;

/** What an online agent is doing. */
public enum ActivityState {
  IDLE,
  PROCESSING,
  QUEUED,
  UNKNOWN
}
