package ai.onsembl.backend.internal;

import ai.onsembl.protocol.Ascii;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.enums.Opcode;
import org.java_websocket.enums.Role;
import org.java_websocket.exceptions.IncompleteException;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.exceptions.InvalidFrameException;
import org.java_websocket.exceptions.InvalidHandshakeException;
import org.java_websocket.exceptions.LimitExceededException;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.framing.Framedata;
import org.java_websocket.framing.FramedataImpl1;
import org.java_websocket.framing.TextFrame;
import org.java_websocket.handshake.Handshakedata;
import org.java_websocket.util.Charsetfunctions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RFC 6455 with a payload limit, so an oversized frame is refused from its header and never
 * buffered.
 *
 * <p>Left alone, Java-WebSocket answers such a frame by closing at once with 1009: the server drops
 * the TCP connection while the rest of the frame is still arriving, the kernel answers with RST and
 * the peer never reads the close frame. Instead, once a frame is too large, this draft discards
 * every further byte and calls {@link #onOversize}, which sends ERROR RESOURCE_EXHAUSTED and closes
 * 1009 shortly after.
 *
 * <p>Frames are read here rather than by the library, which costs a core per few tens of MB/s on
 * the per-byte paths: payloads are unmasked eight bytes at a time (the library goes byte by byte
 * through ByteBuffer get/put), a text frame's UTF-8 is checked with an ASCII scan first and the
 * library's validator only from the first non-ASCII byte on (the library runs its validator over
 * every byte), and an ASCII text message becomes a String by one copy (the library decodes every
 * message through a CharsetDecoder into a CharBuffer and compresses that back). The verdicts are
 * the library's: the same frame checks in the same order, the same exceptions. Outgoing text is not
 * validated again: a Java String encoded by {@link String#getBytes} is valid UTF-8.
 */
final class LimitedDraft extends Draft_6455 {
  private static final Logger LOG = LoggerFactory.getLogger(LimitedDraft.class);

  /** The largest upgrade request (request line and headers) accepted. */
  static final int MAX_HANDSHAKE_BYTES = 16 * 1024;

  private final int maxFrameBytes;

  /** Set by the server when the connection opens; called once, on the reading thread. */
  volatile Runnable onOversize;

  /** Set by the server when the connection opens; gets the code of a close frame the peer sent. */
  volatile java.util.function.IntConsumer onCloseFrame;

  private volatile boolean discarding;

  /** The start of a frame whose rest has not arrived yet, sized to what is known of it. */
  private ByteBuffer incompleteFrame;

  /**
   * A fragmented message was seen on this connection: from then on messages are handed to the
   * library's own processing, which keeps the state of a message in fragments.
   */
  private boolean fragments;

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
      return readFrames(buffer);
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

  @Override
  public void reset() {
    super.reset();
    incompleteFrame = null;
  }

  /** {@code Draft_6455.translateFrame}: whole frames, the start of an incomplete one kept. */
  private List<Framedata> readFrames(ByteBuffer buffer) throws InvalidDataException {
    while (true) {
      List<Framedata> frames = new ArrayList<>(2);
      if (incompleteFrame != null) {
        try {
          buffer.mark();
          int available = buffer.remaining();
          int expected = incompleteFrame.remaining();
          if (expected > available) {
            incompleteFrame.put(buffer);
            return Collections.emptyList();
          }
          ByteBuffer rest = buffer.slice();
          rest.limit(expected);
          incompleteFrame.put(rest);
          buffer.position(buffer.position() + expected);
          ByteBuffer whole = incompleteFrame.duplicate();
          whole.position(0);
          frames.add(readFrame(whole));
          incompleteFrame = null;
        } catch (IncompleteException e) {
          ByteBuffer extended = ByteBuffer.allocate(checkAlloc(e.getPreferredSize()));
          incompleteFrame.rewind();
          extended.put(incompleteFrame);
          incompleteFrame = extended;
          continue;
        }
      }
      while (buffer.hasRemaining()) {
        buffer.mark();
        try {
          frames.add(readFrame(buffer));
        } catch (IncompleteException e) {
          buffer.reset();
          incompleteFrame = ByteBuffer.allocate(checkAlloc(e.getPreferredSize()));
          incompleteFrame.put(buffer);
          break;
        }
      }
      return frames;
    }
  }

  /** {@code Draft_6455.translateSingleFrame}, the same checks in the same order. */
  private Framedata readFrame(ByteBuffer buffer) throws InvalidDataException, IncompleteException {
    int available = buffer.remaining();
    int frameSize = 2;
    needs(available, frameSize);
    byte b1 = buffer.get();
    byte b2 = buffer.get();
    boolean mask = (b2 & 0x80) != 0;
    int length = b2 & 0x7f;
    Opcode opcode = opcode(b1 & 15);
    if (length > 125) {
      if (opcode == Opcode.PING || opcode == Opcode.PONG || opcode == Opcode.CLOSING) {
        throw new InvalidFrameException("more than 125 octets");
      }
      if (length == 126) {
        frameSize += 2;
        needs(available, frameSize);
        length = ((buffer.get() & 0xff) << 8) | (buffer.get() & 0xff);
      } else {
        frameSize += 8;
        needs(available, frameSize);
        long longLength = 0;
        for (int i = 0; i < 8; i++) {
          longLength = (longLength << 8) | (buffer.get() & 0xff);
        }
        checkLength(longLength);
        length = (int) longLength;
      }
    }
    checkLength(length);
    frameSize += (mask ? 4 : 0) + length;
    needs(available, frameSize);
    byte[] payload = new byte[checkAlloc(length)];
    if (mask) {
      int key = 0;
      for (int i = 0; i < 4; i++) {
        key = (key << 8) | (buffer.get() & 0xff);
      }
      buffer.get(payload);
      unmask(payload, key);
    } else {
      buffer.get(payload);
    }
    FramedataImpl1 frame =
        opcode == Opcode.TEXT ? new CheckedTextFrame() : FramedataImpl1.get(opcode);
    frame.setFin((b1 & 0x80) != 0);
    frame.setRSV1((b1 & 0x40) != 0);
    frame.setRSV2((b1 & 0x20) != 0);
    frame.setRSV3((b1 & 0x10) != 0);
    frame.setPayload(ByteBuffer.wrap(payload));
    // No extension is ever negotiated (the draft is built with none): the library's choice between
    // the negotiated and the default extension is the default one either way.
    getExtension().isFrameValid(frame);
    getExtension().decodeFrame(frame);
    frame.isValid();
    return frame;
  }

  private static void needs(int available, int frameSize) throws IncompleteException {
    if (available < frameSize) {
      throw new IncompleteException(frameSize);
    }
  }

  private void checkLength(long length) throws LimitExceededException {
    if (length > Integer.MAX_VALUE) {
      throw new LimitExceededException("Payloadsize is to big...");
    }
    if (length > maxFrameBytes) {
      throw new LimitExceededException("Payload limit reached.", maxFrameBytes);
    }
    if (length < 0) {
      throw new LimitExceededException("Payloadsize is to little...");
    }
  }

  private static Opcode opcode(int code) throws InvalidFrameException {
    switch (code) {
      case 0:
        return Opcode.CONTINUOUS;
      case 1:
        return Opcode.TEXT;
      case 2:
        return Opcode.BINARY;
      case 8:
        return Opcode.CLOSING;
      case 9:
        return Opcode.PING;
      case 10:
        return Opcode.PONG;
      default:
        throw new InvalidFrameException("Unknown opcode " + (short) code);
    }
  }

  /**
   * XORs {@code payload} with the 4-byte masking key (big-endian in {@code key}), a word at a time.
   */
  static void unmask(byte[] payload, int key) {
    Ascii.xorMask(payload, 0, payload, 0, payload.length, key);
  }

  /**
   * A whole text message arrives as one String without the library's CharsetDecoder round trip: an
   * ASCII payload (known from its check) by one copy, any other by the library's strict decoding
   * (invalid UTF-8 fails as there: {@link InvalidDataException}, close 1007). Fragments and every
   * other frame go to the library.
   */
  private boolean processWholeText(WebSocketImpl ws, Framedata frame) throws InvalidDataException {
    if (fragments || !(frame instanceof CheckedTextFrame text) || !frame.isFin() || !text.ascii) {
      return false;
    }
    ByteBuffer payload = frame.getPayloadData();
    String message =
        new String(
            payload.array(),
            payload.arrayOffset() + payload.position(),
            payload.remaining(),
            StandardCharsets.ISO_8859_1);
    try {
      ws.getWebSocketListener().onWebsocketMessage(ws, message);
    } catch (RuntimeException e) {
      LOG.error("Runtime exception during onWebsocketMessage", e);
      ws.getWebSocketListener().onWebsocketError(ws, e);
    }
    return true;
  }

  /**
   * Text to send: the library's frame without its validation of every byte of the encoded String (a
   * String's UTF-8 from {@link String#getBytes} is valid by construction).
   */
  @Override
  public List<Framedata> createFrames(String text, boolean mask) {
    if (getRole() != Role.SERVER) {
      return super.createFrames(text, mask);
    }
    TextFrame frame = new TextFrame();
    frame.setPayload(ByteBuffer.wrap(Ascii.utf8(text)));
    frame.setTransferemasked(mask);
    return Collections.singletonList(frame);
  }

  /**
   * A text frame whose UTF-8 check scans for ASCII first: the library's validator runs only from
   * the first non-ASCII byte (where its state machine starts afresh, as at any ASCII byte), so the
   * verdict is its own. Notes whether the payload was all ASCII.
   */
  static final class CheckedTextFrame extends TextFrame {
    boolean ascii;

    @Override
    public void isValid() throws InvalidDataException {
      ByteBuffer payload = getPayloadData();
      if (payload.hasArray() && payload.position() == 0) {
        int off = payload.arrayOffset();
        int end = off + payload.limit();
        int first = Ascii.firstNonAscii(payload.array(), off, end);
        ascii = first == end;
        if (ascii || Charsetfunctions.isValidUTF8(payload, first - off)) {
          return;
        }
        throw new InvalidDataException(
            CloseFrame.NO_UTF8, "Received text is no valid utf8 string!");
      }
      ascii = false;
      super.isValid();
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
    if (!frame.isFin() || frame.getOpcode() == Opcode.CONTINUOUS) {
      fragments = true;
    }
    if (!processWholeText(ws, frame)) {
      super.processFrame(ws, frame);
    }
  }

  @Override
  public Draft copyInstance() {
    return new LimitedDraft(maxFrameBytes);
  }
}
