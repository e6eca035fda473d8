package ai.onsembl.wrapper.internal.link;

import ai.onsembl.protocol.Ascii;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Collections;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.enums.Role;
import org.java_websocket.framing.Framedata;

/**
 * RFC 6455 as Java-WebSocket speaks it, with a faster client-side frame writer: the library masks
 * each payload byte through ByteBuffer get/put with a modulo (a sixth of the wrapper's CPU when a
 * child writes flat out, docs/BENCHMARKS.md); here the payload is masked array to array, eight
 * bytes a step. Same header (FIN, RSV, opcode, mask bit, 7/16/64-bit length), a fresh random
 * masking key per frame. Frames of a server role are the library's.
 */
final class LinkDraft extends Draft_6455 {
  private final int maxFrameSize;
  private final SecureRandom random = new SecureRandom();

  LinkDraft(int maxFrameSize) {
    super(Collections.emptyList(), maxFrameSize);
    this.maxFrameSize = maxFrameSize;
  }

  @Override
  public Draft copyInstance() {
    return new LinkDraft(maxFrameSize);
  }

  @Override
  public ByteBuffer createBinaryFrame(Framedata frame) {
    if (getRole() != Role.CLIENT) {
      return super.createBinaryFrame(frame);
    }
    getExtension().encodeFrame(frame);
    ByteBuffer payload = frame.getPayloadData();
    int len = payload.remaining();
    int lengthBytes = len <= 125 ? 0 : len <= 0xFFFF ? 2 : 8;
    byte[] out = new byte[2 + lengthBytes + 4 + len];
    out[0] =
        (byte)
            ((frame.isFin() ? 0x80 : 0)
                | (frame.isRSV1() ? 0x40 : 0)
                | (frame.isRSV2() ? 0x20 : 0)
                | (frame.isRSV3() ? 0x10 : 0)
                | opcode(frame));
    int p = 2;
    if (lengthBytes == 0) {
      out[1] = (byte) (0x80 | len);
    } else if (lengthBytes == 2) {
      out[1] = (byte) (0x80 | 126);
      out[p++] = (byte) (len >>> 8);
      out[p++] = (byte) len;
    } else {
      out[1] = (byte) (0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        out[p++] = (byte) ((long) len >>> shift);
      }
    }
    byte[] key = new byte[4];
    random.nextBytes(key);
    System.arraycopy(key, 0, out, p, 4);
    p += 4;
    if (payload.hasArray()) {
      byte[] in = payload.array();
      int off = payload.arrayOffset() + payload.position();
      int k =
          (key[0] & 0xff) << 24 | (key[1] & 0xff) << 16 | (key[2] & 0xff) << 8 | (key[3] & 0xff);
      Ascii.xorMask(in, off, out, p, len, k);
    } else {
      for (int i = 0; i < len; i++) {
        out[p + i] = (byte) (payload.get(payload.position() + i) ^ key[i & 3]);
      }
    }
    return ByteBuffer.wrap(out);
  }

  private static int opcode(Framedata frame) {
    switch (frame.getOpcode()) {
      case CONTINUOUS:
        return 0;
      case TEXT:
        return 1;
      case BINARY:
        return 2;
      case CLOSING:
        return 8;
      case PING:
        return 9;
      case PONG:
        return 10;
      default:
        throw new IllegalArgumentException("no opcode for " + frame.getOpcode());
    }
  }
}
