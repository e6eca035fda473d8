package ai.onsembl.e2e.faults;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Random;

/**
 * A hostile WebSocket client on a raw socket (RFC 6455 by hand), so a test can send what no library
 * would: invalid UTF-8 in a text frame, frames larger than any limit, an upgrade that never
 * finishes, a flood. Reads are synchronous with a deadline; {@link #close()} drops the socket.
 */
final class RawWebSocket implements AutoCloseable {
  static final int TEXT = 0x1;
  static final int CLOSE = 0x8;
  static final int PING = 0x9;
  static final int PONG = 0xA;

  /**
   * A frame from the server; {@code opcode} -1 means the TCP connection ended without a close
   * frame.
   */
  record Frame(int opcode, byte[] payload) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** The close code of a close frame (1005 when it carries none). */
    int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
    }

    boolean isClose() {
      return opcode == CLOSE;
    }

    boolean isEof() {
      return opcode == -1;
    }
  }

  private static final Random MASKS = new Random(7);
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final String handshakeResponse;

  private RawWebSocket(Socket socket, String handshakeResponse) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
    this.handshakeResponse = handshakeResponse;
  }

  /**
   * Opens a TCP connection and writes {@code bytes} of a request as-is: for upgrades that never
   * finish.
   */
  static Socket rawConnect(int port, String partialRequest) {
    try {
      Socket s = new Socket();
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.getOutputStream().write(partialRequest.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Upgrades {@code pathAndQuery} with a bearer token; fails unless the server answers 101. */
  static RawWebSocket connect(int port, String pathAndQuery, String token) {
    RawWebSocket ws = tryConnect(port, pathAndQuery, token);
    if (!ws.handshakeResponse.startsWith("HTTP/1.1 101")) {
      ws.close();
      throw new AssertionError(
          "expected 101 Switching Protocols for "
              + pathAndQuery
              + " but got "
              + ws.handshakeResponse);
    }
    return ws;
  }

  /** Upgrades {@code pathAndQuery}; whatever the server answers. */
  static RawWebSocket tryConnect(int port, String pathAndQuery, String token) {
    try {
      Socket s = new Socket();
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout(10_000);
      s.setTcpNoDelay(true);
      byte[] nonce = new byte[16];
      MASKS.nextBytes(nonce);
      String req =
          "GET "
              + pathAndQuery
              + " HTTP/1.1\r\nHost: 127.0.0.1:"
              + port
              + "\r\nUpgrade: websocket\r\n"
              + "Connection: Upgrade\r\nSec-WebSocket-Key: "
              + Base64.getEncoder().encodeToString(nonce)
              + "\r\nSec-WebSocket-Version: 13\r\n"
              + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
              + "\r\n";
      s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      while (true) {
        int b = in.read();
        if (b < 0) {
          break;
        }
        head.write(b);
        byte[] h = head.toByteArray();
        int n = h.length;
        if (n >= 4
            && h[n - 4] == '\r'
            && h[n - 3] == '\n'
            && h[n - 2] == '\r'
            && h[n - 1] == '\n') {
          break;
        }
      }
      return new RawWebSocket(s, head.toString(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String handshakeResponse() {
    return handshakeResponse;
  }

  void sendText(String text) {
    sendFrame(TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  /** One final, masked frame with {@code payload} as-is (no UTF-8 check: that is the point). */
  void sendFrame(int opcode, byte[] payload) {
    try {
      out.write(encode(opcode, payload));
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Sends frames without flushing between them; false when the server already closed the socket.
   */
  boolean trySendFrame(int opcode, byte[] payload) {
    try {
      out.write(encode(opcode, payload));
      out.flush();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static byte[] encode(int opcode, byte[] payload) {
    ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
    f.write(0x80 | opcode);
    int len = payload.length;
    if (len < 126) {
      f.write(0x80 | len);
    } else if (len <= 0xffff) {
      f.write(0x80 | 126);
      f.write(len >>> 8);
      f.write(len & 0xff);
    } else {
      f.write(0x80 | 127);
      for (int i = 7; i >= 0; i--) {
        f.write((int) (((long) len >>> (8 * i)) & 0xff));
      }
    }
    byte[] mask = new byte[4];
    synchronized (MASKS) {
      MASKS.nextBytes(mask);
    }
    f.write(mask, 0, 4);
    byte[] masked = new byte[len];
    for (int i = 0; i < len; i++) {
      masked[i] = (byte) (payload[i] ^ mask[i & 3]);
    }
    f.write(masked, 0, len);
    return f.toByteArray();
  }

  /**
   * The next frame from the server, answering pings on the way; null when none came within {@code
   * timeout}; a frame with opcode -1 when the connection ended without a close frame.
   */
  Frame read(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
        Frame f;
        try {
          f = readFrame();
        } catch (SocketTimeoutException e) {
          return null;
        } catch (EOFException e) {
          return new Frame(-1, new byte[0]);
        } catch (IOException e) {
          return new Frame(-1, new byte[0]); // reset by peer: ended without a close frame
        }
        if (f.opcode() == PING) {
          trySendFrame(PONG, f.payload());
          continue;
        }
        return f;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Frame readFrame() throws IOException {
    int b0 = readByte();
    int b1 = readByte();
    long len = b1 & 0x7f;
    if (len == 126) {
      len = ((long) readByte() << 8) | readByte();
    } else if (len == 127) {
      len = 0;
      for (int i = 0; i < 8; i++) {
        len = (len << 8) | readByte();
      }
    }
    byte[] payload = in.readNBytes((int) len);
    if (payload.length < len) {
      throw new EOFException();
    }
    return new Frame(b0 & 0x0f, payload);
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException();
    }
    return b;
  }

  /**
   * Reads until a close frame or EOF arrives (returned), or null when neither came within {@code
   * timeout}.
   */
  Frame awaitClose(Duration timeout, java.util.List<Frame> seen) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Frame f = read(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
      if (f == null) {
        return null;
      }
      if (f.isClose() || f.isEof()) {
        return f;
      }
      seen.add(f);
    }
    return null;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // already gone
    }
  }
}
