package ai.onsembl.protocol;

/** Which stream a chunk of terminal output came from. */
public enum StreamType {
  STDOUT,
  STDERR,
  UNKNOWN
}
