package ai.onsembl.wrapper.internal.link;

import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.ProtocolCodec;
import ai.onsembl.protocol.ProtocolException;

/** The one place where the link turns frames into text and back (both directions, every frame). */
final class LinkCodec {
  private static final ProtocolCodec CODEC = ProtocolCodec.standard();

  private LinkCodec() {}

  static String encode(Message m) {
    return CODEC.encode(m);
  }

  static Message decode(String text) throws ProtocolException {
    return CODEC.decode(text);
  }
}
