package ai.onsembl.wrapper.command;

import ai.onsembl.protocol.StreamType;

/**
 * The long-lived agent process as the command runner sees it in {@code session} mode: commands are
 * written to its stdin as lines, and everything it prints arrives through the listener. Implemented
 * by the child supervisor.
 */
public interface SessionChild {
  /** Writes {@code line} and a newline to the child's stdin; false when the child is gone. */
  boolean writeLine(String line);

  /** Receives all of the child's output from now on (one listener; a new one replaces the old). */
  void setOutputListener(OutputListener listener);

  /**
   * Asks the child to abandon the work of the current line, as Ctrl-C would (e.g. SIGINT to its
   * process group), without ending the session. Called when a session-mode command is cancelled or
   * hits its time limit; the command ends CANCELLED or FAILED at once either way. False when not
   * supported or not done.
   */
  default boolean interrupt() {
    return false;
  }

  /** Output of a process, as decoded text, in the order it was read from each stream. */
  @FunctionalInterface
  interface OutputListener {
    void onOutput(StreamType stream, String text);

    /**
     * Sends on whatever output is held back (a linger buffer): the agent stopped, nothing more
     * follows.
     */
    default void flush() {}

    /**
     * Called by the thread that reads the child's output before it reads more, holding no lock: may
     * block while the output cannot be sent on ({@link ai.onsembl.wrapper.Outbound#awaitRoom}).
     */
    default void awaitRoom() {}
  }
}
