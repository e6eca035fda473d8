package ai.onsembl.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * A dashboard socket for bulk terminal output ({@link OutputBench}): a plain blocking socket that
 * reads WebSocket frames as bytes and a TERMINAL_STREAM with jackson-core's byte parser, counting
 * {@code content} in {@link Dashboard.Event#contentChars} instead of making it a String in a tree.
 * The JDK client of {@link Dashboard} decodes every message into a fresh CharBuffer and the tree
 * costs another pass: at 30 MB/s that JVM needed as much CPU as the backend, fell behind, and the
 * backend replaced its backlog with a snapshot (output lost to the measurement). What is measured
 * is the same: chars of {@code content} per TERMINAL_STREAM, stamped when the frame has arrived.
 * Other frames become events as in {@link Dashboard}; PING is answered with PONG.
 */
final class CountingDashboard implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFactory FACTORY = JSON.getFactory();

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final Consumer<Dashboard.Event> tap;
  private final Thread reader;
  private volatile boolean closing;

  private CountingDashboard(Socket socket, InputStream in, Consumer<Dashboard.Event> tap)
      throws IOException {
    this.socket = socket;
    this.in = in;
    this.out = socket.getOutputStream();
    this.tap = tap;
    this.reader = new Thread(this::readLoop, "counting-dashboard");
    this.reader.setDaemon(true);
  }

  /** Opens it (upgrade with the dashboard token) and sends DASHBOARD_INIT. */
  static CountingDashboard open(BackendProcess backend, Consumer<Dashboard.Event> tap)
      throws IOException {
    URI uri = backend.dashboardUri();
    Socket s = new Socket();
    s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
    s.setTcpNoDelay(true);
    s.setReceiveBufferSize(1 << 20);
    s.setSoTimeout(15_000);
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    String request =
        "GET "
            + uri.getRawPath()
            + "?"
            + uri.getRawQuery()
            + " HTTP/1.1\r\nHost: "
            + uri.getHost()
            + ":"
            + uri.getPort()
            + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
            + Base64.getEncoder().encodeToString(nonce)
            + "\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer "
            + BackendProcess.DASHBOARD_TOKEN
            + "\r\n\r\n";
    s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    InputStream in = new BufferedInputStream(s.getInputStream(), 1 << 18);
    // the response head, byte by byte up to its blank line (frames may follow in the same read)
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        s.close();
        throw new IOException("dashboard: the backend closed during the upgrade: " + head);
      }
      head.write(b);
      matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String status = head.toString(StandardCharsets.US_ASCII);
    if (!status.startsWith("HTTP/1.1 101")) {
      s.close();
      throw new IOException("dashboard: upgrade refused: " + status.lines().findFirst().orElse(""));
    }
    s.setSoTimeout(0);
    CountingDashboard d = new CountingDashboard(s, in, tap);
    d.reader.start();
    d.sendText(Frames.dashboardInit());
    return d;
  }

  /** One masked text frame, as a client must send it. */
  private void sendText(String text) throws IOException {
    sendFrame(1, text.getBytes(StandardCharsets.UTF_8));
  }

  private synchronized void sendFrame(int opcode, byte[] payload) throws IOException {
    int len = payload.length;
    ByteArrayOutputStream f = new ByteArrayOutputStream(len + 14);
    f.write(0x80 | opcode);
    if (len <= 125) {
      f.write(0x80 | len);
    } else if (len <= 0xffff) {
      f.write(0x80 | 126);
      f.write(len >>> 8);
      f.write(len);
    } else {
      f.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        f.write((int) ((long) len >>> shift));
      }
    }
    byte[] key = new byte[4];
    ThreadLocalRandom.current().nextBytes(key);
    f.write(key, 0, 4);
    for (int i = 0; i < len; i++) {
      f.write(payload[i] ^ key[i & 3]);
    }
    out.write(f.toByteArray());
    out.flush();
  }

  private void readLoop() {
    byte[] message = new byte[1 << 17];
    int messageLength = 0;
    byte[] header = new byte[8];
    try {
      while (true) {
        readFully(header, 2);
        boolean fin = (header[0] & 0x80) != 0;
        int opcode = header[0] & 0x0f;
        long len = header[1] & 0x7f;
        if (len == 126) {
          readFully(header, 2);
          len = ((header[0] & 0xff) << 8) | (header[1] & 0xff);
        } else if (len == 127) {
          readFully(header, 8);
          len = 0;
          for (int i = 0; i < 8; i++) {
            len = (len << 8) | (header[i] & 0xff);
          }
        }
        if (len > Integer.MAX_VALUE - 16 - messageLength) {
          throw new IOException("dashboard: frame of " + len + " bytes");
        }
        if (opcode >= 8) {
          byte[] control = new byte[(int) len];
          readFully(control, control.length);
          if (opcode == 8) {
            if (!closing) {
              System.err.println("dashboard: closed by the backend");
            }
            return;
          }
          if (opcode == 9) {
            sendFrame(10, control);
          }
          continue;
        }
        if (messageLength + len > message.length) {
          message =
              Arrays.copyOf(message, (int) Math.max(message.length * 2L, messageLength + len));
        }
        readFully(message, messageLength, (int) len);
        messageLength += (int) len;
        if (fin) {
          long now = System.nanoTime();
          handle(message, messageLength, now);
          messageLength = 0;
        }
      }
    } catch (IOException e) {
      if (!closing) {
        System.err.println("dashboard: read failed: " + e);
      }
    }
  }

  private void readFully(byte[] b, int n) throws IOException {
    readFully(b, 0, n);
  }

  private void readFully(byte[] b, int off, int n) throws IOException {
    while (n > 0) {
      int r = in.read(b, off, n);
      if (r < 0) {
        throw new EOFException("dashboard: end of stream");
      }
      off += r;
      n -= r;
    }
  }

  /**
   * A TERMINAL_STREAM whose {@code type} comes before its {@code payload} (as the backend writes
   * it) is read field by field; anything else as a tree.
   */
  private void handle(byte[] b, int len, long now) {
    try (JsonParser p = FACTORY.createParser(b, 0, len)) {
      String type = null;
      ObjectNode payload = null;
      long contentChars = -1;
      if (p.nextToken() == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          JsonToken t = p.nextToken();
          if (field.equals("type") && t == JsonToken.VALUE_STRING) {
            type = p.getText();
          } else if (field.equals("payload")
              && t == JsonToken.START_OBJECT
              && "TERMINAL_STREAM".equals(type)) {
            payload = JSON.createObjectNode();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String name = p.currentName();
              JsonToken v = p.nextToken();
              if (name.equals("content") && v == JsonToken.VALUE_STRING) {
                contentChars = p.getTextLength();
              } else {
                payload.set(name, JSON.readTree(p));
              }
            }
          } else {
            p.skipChildren();
          }
        }
      }
      if (payload != null) {
        tap.accept(
            new Dashboard.Event(
                type, payload.path("agentId").asText(null), null, payload, now, contentChars));
        return;
      }
      JsonNode n = JSON.readTree(b, 0, len);
      String t = n.path("type").asText();
      JsonNode pl = n.path("payload");
      if (t.equals("PING")) {
        sendText(Frames.pong(pl.path("timestamp").asLong()));
        return;
      }
      tap.accept(
          new Dashboard.Event(
              t, pl.path("agentId").asText(null), pl.path("status").asText(null), pl, now));
    } catch (IOException | RuntimeException e) {
      System.err.println("dashboard: unreadable frame: " + e);
    }
  }

  @Override
  public void close() {
    closing = true;
    try {
      sendFrame(8, new byte[] {0x03, (byte) 0xe8});
    } catch (IOException ignored) {
      // best effort
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    try {
      reader.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
