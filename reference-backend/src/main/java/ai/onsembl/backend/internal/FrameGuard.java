package ai.onsembl.backend.internal;

import ai.onsembl.protocol.ErrorCode;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.ProtocolException;
import ai.onsembl.protocol.StreamingCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks every incoming frame passes on the reading thread, for both endpoints: rate limit,
 * size, codec. Each kind of bad input is answered with ERROR and logged once per connection.
 */
final class FrameGuard {
  private static final Logger LOG = LoggerFactory.getLogger(FrameGuard.class);

  private static final long LINGER_MILLIS = 250;

  /**
   * TERMINAL_OUTPUT frames an agent may send a second (4,000 coalesced 16 KiB chunks: about 64
   * MB/s).
   */
  static final int OUTPUT_FRAMES_PER_SECOND = 4000;

  private FrameGuard() {}

  /** False (and the connection is being closed 4429) when the peer is over its rate. */
  static boolean withinRate(Peer p) {
    if (p.closing) {
      return false;
    }
    if (p.limiter.tryAcquire()) {
      return true;
    }
    refuse(p, ErrorCode.RATE_LIMITED, "Rate limit exceeded: closing", null);
    p.closeAfter(4429, "Rate limited", LINGER_MILLIS);
    return false;
  }

  /** As {@link #withinRate} for TERMINAL_OUTPUT, against the connection's output budget. */
  static boolean withinOutputRate(Peer p) {
    if (p.closing) {
      return false;
    }
    if (p.outputLimiter.tryAcquire()) {
      return true;
    }
    refuse(p, ErrorCode.RATE_LIMITED, "Terminal output rate limit exceeded: closing", null);
    p.closeAfter(4429, "Rate limited", LINGER_MILLIS);
    return false;
  }

  /**
   * The decoded frame, or null after answering ERROR (and closing 1009 for an oversized one).
   * Decoded by the streaming codec (jackson-core, no tree): the same records and refusals as the
   * full codec (StreamingCodecTest), with less work per byte of a large TERMINAL_OUTPUT.
   */
  static Message decode(Peer p, String text) {
    try {
      return StreamingCodec.standard().decode(text);
    } catch (ProtocolException e) {
      refuse(p, e.errorCode(), e.getMessage(), e.messageId());
      if (e.kind() == ProtocolException.Kind.FRAME_TOO_LARGE) {
        p.close(1009, "Frame too large");
      }
      return null;
    }
  }

  /** Sends ERROR {@code code}; logs the first of each code on this connection. */
  static void refuse(Peer p, ErrorCode code, String message, String inReplyTo) {
    if (p.firstTime(code.name())) {
      LOG.warn("{}: {} {} (logged once per connection)", p.describe(), code, message);
    }
    p.hooks.onRefused(p.index, p.agentId, code, message);
    p.send(Messages.error(code, message, inReplyTo));
  }

  /** Answers ERROR FORBIDDEN and closes: the frame names another agent. */
  static void spoofed(Peer p, String claimed, String inReplyTo) {
    refuse(
        p,
        ErrorCode.FORBIDDEN,
        "Frame claims agent " + claimed + " but this connection is agent " + p.agentId,
        inReplyTo);
    p.closeAfter(1008, "Frame claims another agent", LINGER_MILLIS);
  }
}
