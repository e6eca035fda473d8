package ai.onsembl.wrapper.internal.link;

import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.ProtocolException;
import ai.onsembl.protocol.StreamingCodec;

/**
 * The one place where the link turns frames into text and back (both directions, every frame): the
 * streaming codec on jackson-core, equal to the full ProtocolCodec (StreamingCodecTest) without
 * loading jackson-databind.
 */
final class LinkCodec {
  private static final StreamingCodec CODEC = StreamingCodec.standard();

  private LinkCodec() {}

  static String encode(Message m) {
    return CODEC.encode(m);
  }

  /** The frame as UTF-8: what goes into the queue and onto the wire. */
  static byte[] encodeUtf8(Message m) {
    return CODEC.encodeUtf8(m);
  }

  static Message decode(String text) throws ProtocolException {
    return CODEC.decode(text);
  }
}
