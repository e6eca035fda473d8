package ai.onsembl.backend.internal;

import ai.onsembl.protocol.Message;
import java.time.Duration;

/**
 * Seams for the JUnit extension: observe agent frames and script faults. The default is a normal
 * backend. Methods are called on Java-WebSocket's threads and must not block.
 */
public interface BackendHooks {
  BackendHooks NONE = new BackendHooks() {};

  /**
   * Every text frame read on an agent connection, before it is handled. {@code decoded} is null
   * when the frame was refused by the codec.
   */
  default void onAgentFrame(
      int connectionIndex, long sequence, String agentId, String text, Message decoded) {}

  /** The backend answered a frame on an agent connection with ERROR {@code code}. */
  default void onRefused(
      int connectionIndex, String agentId, ai.onsembl.protocol.ErrorCode code, String message) {}

  /** False to stop sending anything (PING, ACK, commands) to the agent: a frozen backend. */
  default boolean answers(String agentId) {
    return true;
  }

  /** False to leave the agent's WebSocket ping frames unanswered: a half-open link. */
  default boolean answersProtocolPings(String agentId) {
    return true;
  }

  /** Extra delay before ACK frames reach agents. */
  default Duration ackDelay() {
    return Duration.ZERO;
  }
}
