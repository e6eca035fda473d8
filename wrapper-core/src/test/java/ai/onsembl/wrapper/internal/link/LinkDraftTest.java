package ai.onsembl.wrapper.internal.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.enums.Opcode;
import org.java_websocket.enums.Role;
import org.java_websocket.framing.Framedata;
import org.java_websocket.framing.PingFrame;
import org.java_websocket.framing.TextFrame;
import org.junit.jupiter.api.Test;

class LinkDraftTest {
  /** Frames written by the link's draft, read back by the library's own server-side parser. */
  @Test
  void everyLengthClassReadsBackAsTheLibraryParsesIt() throws Exception {
    LinkDraft client = new LinkDraft(1 << 20);
    client.setParseMode(Role.CLIENT);
    Draft_6455 server = new Draft_6455(List.of(), 1 << 20);
    server.setParseMode(Role.SERVER);
    Random rnd = new Random(7);
    for (int len : new int[] {0, 1, 7, 8, 9, 15, 125, 126, 127, 65535, 65536, 100_001}) {
      byte[] text = new byte[len];
      for (int i = 0; i < len; i++) {
        text[i] = (byte) ('a' + rnd.nextInt(26));
      }
      TextFrame f = new TextFrame();
      // a payload that does not start at index 0 of its array
      byte[] shifted = new byte[len + 3];
      System.arraycopy(text, 0, shifted, 3, len);
      f.setPayload(len % 2 == 0 ? ByteBuffer.wrap(text) : ByteBuffer.wrap(shifted, 3, len).slice());
      f.setFin(true);
      ByteBuffer wire = client.createBinaryFrame(f);
      assertThat(wire.get(1) & 0x80).as("mask bit, length " + len).isEqualTo(0x80);
      List<Framedata> read = server.translateFrame(wire);
      assertThat(read).hasSize(1);
      Framedata back = read.get(0);
      assertThat(back.getOpcode()).isEqualTo(Opcode.TEXT);
      assertThat(back.isFin()).isTrue();
      byte[] got = new byte[back.getPayloadData().remaining()];
      back.getPayloadData().get(got);
      assertThat(new String(got, StandardCharsets.US_ASCII))
          .as("length " + len)
          .isEqualTo(new String(text, StandardCharsets.US_ASCII));
    }
  }

  @Test
  void controlFramesKeepTheirOpcodeAndTheKeyChangesPerFrame() throws Exception {
    LinkDraft client = new LinkDraft(1 << 20);
    client.setParseMode(Role.CLIENT);
    Draft_6455 server = new Draft_6455(List.of(), 1 << 20);
    server.setParseMode(Role.SERVER);
    ByteBuffer a = client.createBinaryFrame(new PingFrame());
    ByteBuffer b = client.createBinaryFrame(new PingFrame());
    // an empty ping: 2 header bytes and the 4-byte key
    assertThat(a.remaining()).isEqualTo(6);
    assertThat(b.remaining()).isEqualTo(6);
    assertThat(server.translateFrame(a).get(0).getOpcode()).isEqualTo(Opcode.PING);
    TextFrame t1 = new TextFrame();
    t1.setPayload(ByteBuffer.wrap(new byte[64]));
    TextFrame t2 = new TextFrame();
    t2.setPayload(ByteBuffer.wrap(new byte[64]));
    ByteBuffer m1 = client.createBinaryFrame(t1);
    ByteBuffer m2 = client.createBinaryFrame(t2);
    // zero payloads show the key itself: two frames with the same key would be a broken random
    // source
    assertThat(m1.array()).isNotEqualTo(m2.array());
  }
}
