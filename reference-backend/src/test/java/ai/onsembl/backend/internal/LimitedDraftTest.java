package ai.onsembl.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketAdapter;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.enums.Opcode;
import org.java_websocket.enums.Role;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.framing.Framedata;
import org.java_websocket.framing.FramedataImpl1;
import org.java_websocket.framing.TextFrame;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.handshake.Handshakedata;
import org.java_websocket.handshake.ServerHandshakeBuilder;
import org.junit.jupiter.api.Test;

/** LimitedDraft reads frames itself: every verdict and every frame must be the library's. */
class LimitedDraftTest {
  private static final int LIMIT = 4096;

  private static final byte[][] UTF8_CASES = {
    {'{', '"', (byte) 0xc3, (byte) 0x28, '"', '}'}, // invalid continuation
    {(byte) 0xc3, (byte) 0xa9}, // é
    {(byte) 0xe2, (byte) 0x82, (byte) 0xac}, // €
    {(byte) 0xf0, (byte) 0x9f, (byte) 0x98, (byte) 0x80}, // U+1F600
    {(byte) 0xc0, (byte) 0xaf}, // overlong '/'
    {(byte) 0xe0, (byte) 0x80, (byte) 0xaf}, // overlong, 3 bytes
    {(byte) 0xf0, (byte) 0x80, (byte) 0x80, (byte) 0xaf}, // overlong, 4 bytes
    {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, // surrogate U+D800
    {(byte) 0xed, (byte) 0xbf, (byte) 0xbf}, // surrogate U+DFFF
    {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
    {(byte) 0xff},
    {(byte) 0x80}, // lone continuation
    {(byte) 0xe2, (byte) 0x82}, // truncated at the end
    {(byte) 0xf0, (byte) 0x9f, (byte) 0x98}, // truncated at the end
    {(byte) 0xe2, (byte) 0x82, 'a'}, // truncated before ASCII
  };

  private static Boolean libraryVerdict(byte[] payload) {
    TextFrame f = new TextFrame();
    f.setPayload(ByteBuffer.wrap(payload));
    try {
      f.isValid();
      return true;
    } catch (InvalidDataException e) {
      assertThat(e.getCloseCode()).isEqualTo(CloseFrame.NO_UTF8);
      return false;
    }
  }

  private static Boolean checkedVerdict(byte[] payload) {
    LimitedDraft.CheckedTextFrame f = new LimitedDraft.CheckedTextFrame();
    f.setPayload(ByteBuffer.wrap(payload));
    try {
      f.isValid();
      return true;
    } catch (InvalidDataException e) {
      assertThat(e.getCloseCode()).isEqualTo(CloseFrame.NO_UTF8);
      return false;
    }
  }

  @Test
  void utf8VerdictsAreTheLibrarysWithAsciiAroundAtEveryAlignment() {
    for (byte[] c : UTF8_CASES) {
      for (int before = 0; before < 18; before++) {
        for (int after = 0; after < 10; after++) {
          byte[] p = new byte[before + c.length + after];
          java.util.Arrays.fill(p, (byte) 'x');
          System.arraycopy(c, 0, p, before, c.length);
          assertThat(checkedVerdict(p))
              .as("%d ASCII, %s, %d ASCII", before, java.util.Arrays.toString(c), after)
              .isEqualTo(libraryVerdict(p));
        }
      }
    }
    Random random = new Random(11);
    for (int round = 0; round < 20_000; round++) {
      byte[] p = new byte[random.nextInt(40)];
      for (int i = 0; i < p.length; i++) {
        p[i] =
            random.nextInt(4) == 0
                ? UTF8_CASES[random.nextInt(UTF8_CASES.length)][0]
                : (byte) (random.nextBoolean() ? 'a' : 0x80 + random.nextInt(0x40));
      }
      assertThat(checkedVerdict(p)).isEqualTo(libraryVerdict(p));
    }
  }

  @Test
  void unmaskMatchesAByteByByteXorForEveryLengthAndKey() {
    Random random = new Random(3);
    for (int len = 0; len < 70; len++) {
      int key = random.nextInt();
      byte[] plain = new byte[len];
      random.nextBytes(plain);
      byte[] masked = plain.clone();
      byte[] k = ByteBuffer.allocate(4).putInt(key).array();
      for (int i = 0; i < len; i++) {
        masked[i] ^= k[i % 4];
      }
      LimitedDraft.unmask(masked, key);
      assertThat(masked).isEqualTo(plain);
    }
  }

  /** What a draft made of a byte stream: frames (opcode, fin, rsv1, payload) or the refusal. */
  private static List<String> translate(Draft d, List<ByteBuffer> chunks) {
    List<String> out = new ArrayList<>();
    try {
      for (ByteBuffer chunk : chunks) {
        for (Framedata f : d.translateFrame(chunk)) {
          ByteBuffer p = f.getPayloadData();
          byte[] b = new byte[p.remaining()];
          p.duplicate().get(b);
          out.add(
              f.getOpcode()
                  + " fin="
                  + f.isFin()
                  + " rsv1="
                  + f.isRSV1()
                  + " "
                  + b.length
                  + " bytes, hash "
                  + java.util.Arrays.hashCode(b));
        }
      }
    } catch (InvalidDataException e) {
      out.add(
          "refused: "
              + e.getClass().getSimpleName()
              + " "
              + e.getCloseCode()
              + " "
              + e.getMessage());
    }
    return out;
  }

  private static byte[] clientFrame(Draft_6455 client, Opcode op, boolean fin, byte[] payload) {
    FramedataImpl1 f = FramedataImpl1.get(op);
    f.setFin(fin);
    f.setPayload(ByteBuffer.wrap(payload));
    ByteBuffer b = client.createBinaryFrame(f);
    byte[] a = new byte[b.remaining()];
    b.get(a);
    return a;
  }

  @Test
  void framesSplitAnywhereReadAsTheLibraryReadsThem() {
    Random random = new Random(5);
    Draft_6455 client = new Draft_6455();
    client.setParseMode(Role.CLIENT);
    for (int round = 0; round < 3_000; round++) {
      java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
      int frames = 1 + random.nextInt(4);
      for (int i = 0; i < frames; i++) {
        int kind = random.nextInt(10);
        byte[] payload;
        Opcode op;
        boolean fin = true;
        switch (kind) {
          case 0 -> {
            op = Opcode.PING;
            payload = new byte[random.nextInt(20)];
          }
          case 1 -> {
            op = Opcode.BINARY;
            payload = new byte[random.nextInt(300)];
            random.nextBytes(payload);
          }
          case 2 -> {
            op = Opcode.TEXT;
            payload = UTF8_CASES[random.nextInt(UTF8_CASES.length)];
          }
          case 3 -> {
            op = Opcode.TEXT;
            payload = "x".repeat(LIMIT + random.nextInt(3) - 1).getBytes(StandardCharsets.UTF_8);
          }
          case 4 -> {
            op = Opcode.TEXT;
            payload = "héllo wörld ".repeat(random.nextInt(20)).getBytes(StandardCharsets.UTF_8);
          }
          default -> {
            op = Opcode.TEXT;
            payload =
                "{\"type\":\"X\"}".repeat(random.nextInt(400)).getBytes(StandardCharsets.UTF_8);
          }
        }
        byte[] f = clientFrame(client, op, fin, payload);
        if (random.nextInt(40) == 0) {
          f[0] |= 0x40; // RSV1
        }
        if (random.nextInt(40) == 0) {
          f[0] = (byte) ((f[0] & 0xf0) | 3); // unknown opcode
        }
        if (random.nextInt(40) == 0 && op == Opcode.PING) {
          f = clientFrame(client, op, false, payload); // control frame not fin
        }
        if (random.nextInt(60) == 0) {
          f[1] &= 0x7f; // unmasked: the library takes it as it is
          f = java.util.Arrays.copyOf(f, f.length); // payload stays masked bytes
        }
        stream.writeBytes(f);
      }
      byte[] all = stream.toByteArray();
      List<ByteBuffer> chunks = new ArrayList<>();
      int pos = 0;
      while (pos < all.length) {
        int n = Math.min(all.length - pos, 1 + random.nextInt(random.nextBoolean() ? 9 : 2000));
        // each read in its own array, as the server's reads are (the library's unmasked-frame path
        // reads the backing array from index 0)
        chunks.add(ByteBuffer.wrap(java.util.Arrays.copyOfRange(all, pos, pos + n)));
        pos += n;
      }
      List<ByteBuffer> copies = new ArrayList<>();
      for (ByteBuffer c : chunks) {
        copies.add(c.duplicate());
      }
      Draft_6455 library = new Draft_6455(Collections.emptyList(), LIMIT);
      LimitedDraft limited = new LimitedDraft(LIMIT);
      List<String> expected = translate(library, chunks);
      List<String> actual = translate(limited, copies);
      if (expected.stream().anyMatch(s -> s.startsWith("refused: LimitExceeded"))) {
        // LimitedDraft answers an oversized frame itself (no listener here: rethrown, limit MAX)
        assertThat(actual.get(actual.size() - 1)).startsWith("refused: LimitExceededException");
        assertThat(actual.subList(0, actual.size() - 1))
            .isEqualTo(expected.subList(0, expected.size() - 1));
      } else {
        assertThat(actual).as("round %d", round).isEqualTo(expected);
      }
    }
  }

  /** A server-side socket whose text messages land in a list. */
  private static final class Capture extends WebSocketAdapter {
    final List<String> messages = new ArrayList<>();

    @Override
    public void onWebsocketMessage(WebSocket conn, String message) {
      messages.add(message);
    }

    @Override
    public void onWebsocketMessage(WebSocket conn, ByteBuffer blob) {}

    @Override
    public void onWebsocketOpen(WebSocket conn, Handshakedata d) {}

    @Override
    public void onWebsocketClose(WebSocket ws, int code, String reason, boolean remote) {}

    @Override
    public void onWebsocketClosing(WebSocket ws, int code, String reason, boolean remote) {}

    @Override
    public void onWebsocketCloseInitiated(WebSocket ws, int code, String reason) {}

    @Override
    public void onWebsocketError(WebSocket conn, Exception ex) {}

    @Override
    public void onWriteDemand(WebSocket conn) {}

    @Override
    public java.net.InetSocketAddress getLocalSocketAddress(WebSocket conn) {
      return null;
    }

    @Override
    public java.net.InetSocketAddress getRemoteSocketAddress(WebSocket conn) {
      return null;
    }

    @Override
    public ServerHandshakeBuilder onWebsocketHandshakeReceivedAsServer(
        WebSocket conn, Draft draft, ClientHandshake request) {
      return null;
    }
  }

  @Test
  void wholeAndFragmentedTextMessagesArriveAsTheLibraryDeliversThem() throws Exception {
    Draft_6455 client = new Draft_6455();
    client.setParseMode(Role.CLIENT);
    String ascii = "{\"type\":\"TERMINAL_OUTPUT\"}".repeat(50);
    String unicode = "héllo wörld € \uD83D\uDE00";
    List<byte[]> frames =
        List.of(
            clientFrame(client, Opcode.TEXT, true, ascii.getBytes(StandardCharsets.UTF_8)),
            clientFrame(client, Opcode.TEXT, true, unicode.getBytes(StandardCharsets.UTF_8)),
            clientFrame(client, Opcode.TEXT, false, "frag".getBytes(StandardCharsets.UTF_8)),
            clientFrame(client, Opcode.CONTINUOUS, true, "ment".getBytes(StandardCharsets.UTF_8)),
            clientFrame(client, Opcode.TEXT, true, ascii.getBytes(StandardCharsets.UTF_8)));
    List<List<String>> results = new ArrayList<>();
    for (Draft_6455 d :
        List.of(new Draft_6455(Collections.emptyList(), LIMIT), new LimitedDraft(LIMIT))) {
      Capture capture = new Capture();
      WebSocketImpl ws = new WebSocketImpl(capture, d);
      for (byte[] f : frames) {
        for (Framedata fd : d.translateFrame(ByteBuffer.wrap(f))) {
          d.processFrame(ws, fd);
        }
      }
      results.add(capture.messages);
    }
    assertThat(results.get(1))
        .containsExactly(ascii, unicode, "fragment", ascii)
        .isEqualTo(results.get(0));
  }

  @Test
  void serverTextFramesCarryTheStringsUtf8() {
    LimitedDraft d = new LimitedDraft(LIMIT);
    d.setParseMode(Role.SERVER);
    for (String s : List.of("", "plain", "héllo € \uD83D\uDE00", "lone \uD800 surrogate")) {
      List<Framedata> frames = d.createFrames(s, false);
      assertThat(frames).hasSize(1);
      assertThat(frames.get(0).getOpcode()).isEqualTo(Opcode.TEXT);
      ByteBuffer p = frames.get(0).getPayloadData();
      byte[] b = new byte[p.remaining()];
      p.get(b);
      assertThat(b).isEqualTo(s.getBytes(StandardCharsets.UTF_8));
    }
  }
}
