package ai.onsembl.protocol;

/** The action of an AGENT_CONTROL. */
public enum ControlAction {
  STOP,
  RESTART,
  PAUSE,
  RESUME,
  UNKNOWN
}
