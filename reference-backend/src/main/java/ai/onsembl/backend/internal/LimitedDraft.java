package ai.onsembl.backend.internal;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.List;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.exceptions.LimitExceededException;
import org.java_websocket.framing.Framedata;

/**
 * RFC 6455 with a payload limit, so an oversized frame is refused from its header and never buffered.
 *
 * <p>Java-WebSocket closes such a connection with 1009 without telling the listener, unless the limit
 * in the exception is {@link Integer#MAX_VALUE}; rethrowing with that limit makes it call
 * {@code onError} first, where the server sends ERROR RESOURCE_EXHAUSTED before the 1009 close.
 */
final class LimitedDraft extends Draft_6455 {
  private final int maxFrameBytes;

  LimitedDraft(int maxFrameBytes) {
    super(Collections.emptyList(), maxFrameBytes);
    this.maxFrameBytes = maxFrameBytes;
  }

  @Override
  public List<Framedata> translateFrame(ByteBuffer buffer) throws InvalidDataException {
    try {
      return super.translateFrame(buffer);
    } catch (LimitExceededException e) {
      throw new LimitExceededException(
          "frame too large: expected at most " + maxFrameBytes + " bytes", Integer.MAX_VALUE);
    }
  }

  @Override
  public Draft copyInstance() {
    return new LimitedDraft(maxFrameBytes);
  }
}
