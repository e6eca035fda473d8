package ai.onsembl.backend.internal;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.List;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.exceptions.InvalidHandshakeException;
import org.java_websocket.exceptions.LimitExceededException;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.framing.Framedata;
import org.java_websocket.handshake.Handshakedata;

/**
 * RFC 6455 with a payload limit, so an oversized frame is refused from its header and never
 * buffered.
 *
 * <p>Left alone, Java-WebSocket answers such a frame by closing at once with 1009: the server drops
 * the TCP connection while the rest of the frame is still arriving, the kernel answers with RST and
 * the peer never reads the close frame. Instead, once a frame is too large, this draft discards
 * every further byte and calls {@link #onOversize}, which sends ERROR RESOURCE_EXHAUSTED and closes
 * 1009 shortly after.
 */
final class LimitedDraft extends Draft_6455 {
  /** The largest upgrade request (request line and headers) accepted. */
  static final int MAX_HANDSHAKE_BYTES = 16 * 1024;

  private final int maxFrameBytes;

  /** Set by the server when the connection opens; called once, on the reading thread. */
  volatile Runnable onOversize;

  /** Set by the server when the connection opens; gets the code of a close frame the peer sent. */
  volatile java.util.function.IntConsumer onCloseFrame;

  private volatile boolean discarding;

  LimitedDraft(int maxFrameBytes) {
    super(Collections.emptyList(), maxFrameBytes);
    this.maxFrameBytes = maxFrameBytes;
  }

  int maxFrameBytes() {
    return maxFrameBytes;
  }

  /**
   * Refuses an upgrade request larger than {@link #MAX_HANDSHAKE_BYTES}: Java-WebSocket keeps every
   * byte of an unfinished request and parses it all again on each read, so an endless header would
   * cost memory and a core. Java-WebSocket answers the refusal by closing the connection.
   */
  @Override
  public Handshakedata translateHandshake(ByteBuffer buf) throws InvalidHandshakeException {
    if (buf.remaining() > MAX_HANDSHAKE_BYTES) {
      throw new InvalidHandshakeException(
          "upgrade request too large: expected at most "
              + MAX_HANDSHAKE_BYTES
              + " bytes, got "
              + buf.remaining()
              + " without its end");
    }
    return super.translateHandshake(buf);
  }

  @Override
  public List<Framedata> translateFrame(ByteBuffer buffer) throws InvalidDataException {
    if (discarding) {
      buffer.position(buffer.limit());
      return Collections.emptyList();
    }
    try {
      return super.translateFrame(buffer);
    } catch (LimitExceededException e) {
      Runnable callback = onOversize;
      if (callback == null) {
        // No listener: let Java-WebSocket tell the server (limit MAX_VALUE makes it call onError).
        throw new LimitExceededException(
            "frame too large: expected at most " + maxFrameBytes + " bytes", Integer.MAX_VALUE);
      }
      discarding = true;
      buffer.position(buffer.limit());
      callback.run();
      return Collections.emptyList();
    }
  }

  /**
   * Notes the peer's close code before Java-WebSocket acts on it: its selector thread may see the
   * peer's EOF before the worker finished the close handshake and report 1006 for a clean close.
   */
  @Override
  public void processFrame(WebSocketImpl ws, Framedata frame) throws InvalidDataException {
    java.util.function.IntConsumer listener = onCloseFrame;
    if (listener != null && frame instanceof CloseFrame close) {
      listener.accept(close.getCloseCode());
    }
    super.processFrame(ws, frame);
  }

  @Override
  public Draft copyInstance() {
    return new LimitedDraft(maxFrameBytes);
  }
}
