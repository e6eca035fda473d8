package ai.onsembl.backend.junit;

import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.MessageType;
import java.time.Instant;

/**
 * A text frame the backend read on an agent connection, in arrival order.
 *
 * @param connectionIndex index of the WebSocket connection on this backend, from 0, in accept order
 * @param sequence index of the frame on its connection, from 0
 * @param agentId the agent id the connection had announced when the frame came, or null before
 *     AGENT_CONNECT
 * @param text the frame as received
 * @param message the decoded frame, or null when the codec refused it
 * @param receivedAt when it was read
 */
public record RecordedFrame(
    int connectionIndex,
    long sequence,
    String agentId,
    String text,
    Message message,
    Instant receivedAt) {

  /** The decoded type, or null for a refused frame. */
  public MessageType type() {
    return message == null ? null : message.type();
  }
}
