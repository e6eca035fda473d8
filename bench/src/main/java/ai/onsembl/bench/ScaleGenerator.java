package ai.onsembl.bench;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The load generator of {@link ScaleBench}, a process of its own so it can be killed with SIGKILL:
 * N simulated agents on one NIO selector thread with the client side of WebSocket done by hand (N
 * non-blocking sockets, no thread and no JDK WebSocket per agent), so that the generator costs far
 * less per agent than the backend it measures. Connects with at most {@code inFlight} agents
 * between starting the TCP connect and the backend's ACK of AGENT_CONNECT; each agent then
 * heartbeats every second (100 slots per second, slot k holding agents k, k+100, ...). Prints
 * {@code CONNECTED <ok> <failed> <ms>}; on stdin {@code close} every agent sends AGENT_DISCONNECT
 * and a close frame 1000, and once each has the backend's close frame (or EOF; at most 60 s) it
 * prints {@code CLOSED} and exits. Exits by itself after its lifetime. Args: wsUrl, token, n,
 * inFlight, lifetimeSeconds, idPrefix.
 */
public final class ScaleGenerator {
  private static final int CONNECTING = 0;
  private static final int HANDSHAKE = 1;
  private static final int AWAITING_ACK = 2;
  private static final int ACKED = 3;
  private static final int CLOSING = 4;
  private static final int DONE = 5;

  private static final long SLOT_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final int SLOTS = 100;
  private static final long CONNECT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);
  private static final long CLOSE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);
  private static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(2);
  private static final int MAX_HEADER_BYTES = 16 * 1024;
  private static final byte[] HEADER_END = {'\r', '\n', '\r', '\n'};

  private final InetSocketAddress address;
  private final String hostHeader;
  private final String path;
  private final String token;
  private final int n;
  private final int inFlightMax;
  private final String prefix;
  private final Selector selector;
  private final Conn[] conns;
  private final Queue<String> commands = new ConcurrentLinkedQueue<>();

  /** Shared by every read (one thread): an agent's unparsed rest is copied in front of it. */
  private ByteBuffer readBuf = ByteBuffer.allocate(64 * 1024);

  private int next;
  private long ms99;
  private long slowestNanos;
  private String slowest = "none";
  private int inFlight;
  private int ok;
  private int failed;
  private long t0;
  private long nextExpiryCheck;
  private boolean connected;
  private long nextSlotAt;
  private int slot;
  private boolean closing;
  private int closesPending;
  private long closeDeadline;
  private long exitAt;

  /** One simulated agent's socket and WebSocket state; touched only by the selector thread. */
  private static final class Conn {
    final String id;
    SocketChannel ch;
    SelectionKey key;
    int state = CONNECTING;
    long startedAt;
    long upgradedAt;
    boolean closeSent;

    /** Bytes read but not yet parsed (a partial header or frame). */
    byte[] rest;

    int restLen;

    /** Output the socket did not take yet, in read mode; null when there is none. */
    ByteBuffer out;

    /** A fragmented message being assembled (opcode of its first frame), or null. */
    ByteArrayOutputStream fragments;

    int fragmentOpcode;

    Conn(String id) {
      this.id = id;
    }
  }

  private ScaleGenerator(String ws, String token, int n, int inFlight, String prefix)
      throws IOException {
    URI uri = URI.create(ws);
    int port = uri.getPort() > 0 ? uri.getPort() : 80;
    this.address = new InetSocketAddress(uri.getHost(), port);
    this.hostHeader = uri.getHost() + ":" + port;
    this.path = uri.getRawPath() == null ? "" : stripTrailingSlash(uri.getRawPath());
    this.token = token;
    this.n = n;
    this.inFlightMax = inFlight;
    this.prefix = prefix;
    this.selector = Selector.open();
    this.conns = new Conn[n];
  }

  public static void main(String[] args) throws Exception {
    String ws = args[0];
    String token = args[1];
    int n = Integer.parseInt(args[2]);
    int inFlight = Integer.parseInt(args[3]);
    long lifetime = Long.parseLong(args[4]);
    String prefix = args[5];
    // Stops by itself whatever happens to the bench that started it.
    Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "generator-lifetime");
              t.setDaemon(true);
              return t;
            })
        .schedule(() -> Runtime.getRuntime().halt(3), lifetime, TimeUnit.SECONDS);
    new ScaleGenerator(ws, token, n, inFlight, prefix).run();
  }

  private static String stripTrailingSlash(String p) {
    return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  /** The selector loop: connects, timers, stdin commands and all socket I/O, on this thread. */
  private void run() throws IOException {
    t0 = System.nanoTime();
    while (true) {
      long now = System.nanoTime();
      while (!connected && next < n && inFlight < inFlightMax) {
        launch(next++, now);
      }
      if (!connected) {
        if (now - nextExpiryCheck >= 0) {
          expireConnects(now);
          nextExpiryCheck = now + TimeUnit.SECONDS.toNanos(1);
        }
        if (ok + failed == n) {
          onAllConnected(now);
        }
      }
      for (String cmd; (cmd = commands.poll()) != null; ) {
        if (cmd.equals("close") && !closing && exitAt == 0) {
          startClose(now);
        } else if (cmd.equals("eof") && !closing && exitAt == 0) {
          // stdin ended without "close": leave as before, after a short linger.
          exitAt = now + LINGER_NANOS;
        }
      }
      if (connected && !closing) {
        while (now - nextSlotAt >= 0) {
          heartbeatSlot(slot++ % SLOTS);
          nextSlotAt += SLOT_NANOS;
        }
      }
      if (closing && exitAt == 0 && (closesPending == 0 || now - closeDeadline >= 0)) {
        System.out.println("CLOSED");
        System.out.flush();
        // Lets the close handshakes finish before the sockets go away with the JVM.
        exitAt = now + LINGER_NANOS;
      }
      if (exitAt != 0 && now - exitAt >= 0) {
        System.out.flush();
        Runtime.getRuntime().halt(0);
      }
      selector.select(this::onReady, timeoutMillis(now));
    }
  }

  private long timeoutMillis(long now) {
    long wait = TimeUnit.SECONDS.toNanos(1);
    if (connected && !closing) {
      wait = Math.min(wait, nextSlotAt - now);
    }
    if (exitAt != 0) {
      wait = Math.min(wait, exitAt - now);
    }
    if (closing) {
      wait = Math.min(wait, closeDeadline - now);
    }
    // select(0) would mean "forever"; overdue timers are run right after a 1 ms select.
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait + 999_999));
  }

  private void onAllConnected(long now) {
    connected = true;
    long connectMs = (now - t0) / 1_000_000;
    // A fifth field: when 99 % were ACKed, so a straggler shows apart from the storm's pace.
    System.out.println("CONNECTED " + ok + " " + failed + " " + connectMs + " " + ms99);
    System.err.println("generator: slowest agent to connect: " + slowest);
    System.out.flush();
    nextSlotAt = now + SLOT_NANOS;
    Thread stdin =
        new Thread(
            () -> {
              BufferedReader in =
                  new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
              try {
                for (String line; (line = in.readLine()) != null; ) {
                  if (line.trim().equals("close")) {
                    commands.add("close");
                    selector.wakeup();
                    return;
                  }
                }
              } catch (IOException e) {
                // treated as the end of stdin
              }
              commands.add("eof");
              selector.wakeup();
            },
            "generator-stdin");
    stdin.setDaemon(true);
    stdin.start();
  }

  // --- connecting ---------------------------------------------------------------------------

  private void launch(int index, long now) {
    Conn c = new Conn(prefix + index);
    conns[index] = c;
    c.startedAt = now;
    inFlight++;
    try {
      c.ch = SocketChannel.open();
      c.ch.configureBlocking(false);
      c.ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      if (c.ch.connect(address)) {
        c.key = c.ch.register(selector, SelectionKey.OP_READ, c);
        startHandshake(c);
      } else {
        c.key = c.ch.register(selector, SelectionKey.OP_CONNECT, c);
      }
    } catch (IOException e) {
      fail(c, e.toString());
    }
  }

  private void startHandshake(Conn c) {
    c.state = HANDSHAKE;
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    String request =
        "GET "
            + path
            + "/ws/agent?agentId="
            + c.id
            + "&token="
            + token
            + " HTTP/1.1\r\n"
            + "Host: "
            + hostHeader
            + "\r\n"
            + "Upgrade: websocket\r\n"
            + "Connection: Upgrade\r\n"
            + "Sec-WebSocket-Key: "
            + Base64.getEncoder().encodeToString(nonce)
            + "\r\n"
            + "Sec-WebSocket-Version: 13\r\n"
            + "Authorization: Bearer "
            + token
            + "\r\n\r\n";
    write(c, request.getBytes(StandardCharsets.US_ASCII));
  }

  private void expireConnects(long now) {
    for (int i = 0; i < next; i++) {
      Conn c = conns[i];
      if (c.state < ACKED && now - c.startedAt > CONNECT_TIMEOUT_NANOS) {
        fail(c, "no ACK within 60 s (state " + c.state + ")");
      }
    }
  }

  /** A connect that did not reach the ACK: counted, the first five printed. */
  private void fail(Conn c, String why) {
    if (c.state >= ACKED) {
      return;
    }
    c.state = DONE;
    inFlight--;
    failed++;
    if (failed <= 5) {
      System.err.println("connect " + c.id + " failed: " + why);
    }
    closeChannel(c);
  }

  private void acked(Conn c) {
    if (c.state != AWAITING_ACK) {
      return;
    }
    c.state = ACKED;
    inFlight--;
    ok++;
    long now = System.nanoTime();
    if (ok == (n * 99 + 99) / 100) {
      ms99 = (now - t0) / 1_000_000;
    }
    if (now - c.startedAt > slowestNanos) {
      slowestNanos = now - c.startedAt;
      slowest =
          c.id
              + " "
              + slowestNanos / 1_000_000
              + " ms (TCP connect and 101: "
              + (c.upgradedAt - c.startedAt) / 1_000_000
              + " ms, AGENT_CONNECT to ACK: "
              + (now - c.upgradedAt) / 1_000_000
              + " ms)";
    }
  }

  // --- steady state and closing -------------------------------------------------------------

  private void heartbeatSlot(int k) {
    for (int i = k; i < n; i += SLOTS) {
      Conn c = conns[i];
      if (c != null && c.state == ACKED) {
        sendText(c, Frames.heartbeat(c.id));
      }
    }
  }

  private void startClose(long now) {
    closing = true;
    closeDeadline = now + CLOSE_TIMEOUT_NANOS;
    for (Conn c : conns) {
      if (c != null && c.state == ACKED) {
        c.state = CLOSING;
        closesPending++;
        sendText(c, Frames.disconnect(c.id));
        sendClose(c, 1000, "bye");
      }
    }
  }

  /** The backend's close frame or EOF reached an agent that sent its close. */
  private void closeDone(Conn c) {
    if (c.state == CLOSING) {
      c.state = DONE;
      closesPending--;
    }
  }

  // --- I/O ----------------------------------------------------------------------------------

  private void onReady(SelectionKey key) {
    Conn c = (Conn) key.attachment();
    try {
      if (!key.isValid()) {
        return;
      }
      if (key.isConnectable()) {
        if (!c.ch.finishConnect()) {
          return;
        }
        key.interestOps(SelectionKey.OP_READ);
        startHandshake(c);
        return;
      }
      if (key.isWritable()) {
        flush(c);
      }
      if (key.isValid() && key.isReadable()) {
        read(c);
      }
    } catch (IOException e) {
      lost(c, e.toString());
    }
  }

  /** The socket failed or reached EOF. */
  private void lost(Conn c, String why) {
    if (c.state < ACKED) {
      fail(c, why);
    } else {
      closeDone(c);
      c.state = DONE;
      closeChannel(c);
    }
  }

  private void closeChannel(Conn c) {
    c.out = null;
    c.rest = null;
    c.fragments = null;
    if (c.ch != null) {
      try {
        c.ch.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  private void read(Conn c) throws IOException {
    ByteBuffer rb = readBuf;
    if (c.restLen > rb.capacity() / 2) {
      readBuf = rb = ByteBuffer.allocate(Math.max(rb.capacity() * 2, c.restLen * 2));
    }
    rb.clear();
    if (c.restLen > 0) {
      rb.put(c.rest, 0, c.restLen);
      c.restLen = 0;
    }
    int r = c.ch.read(rb);
    if (r < 0) {
      lost(c, "EOF");
      return;
    }
    byte[] a = rb.array();
    int end = rb.position();
    int p = 0;
    if (c.state == HANDSHAKE) {
      int h = indexOf(a, end, HEADER_END);
      if (h < 0) {
        if (end > MAX_HEADER_BYTES) {
          fail(c, "no end of the HTTP response header in " + end + " bytes");
        } else {
          keepRest(c, a, 0, end);
        }
        return;
      }
      String header = new String(a, 0, h, StandardCharsets.ISO_8859_1);
      int eol = header.indexOf("\r\n");
      String status = eol < 0 ? header : header.substring(0, eol);
      String[] parts = status.split(" ", 3);
      if (parts.length < 2 || !parts[1].equals("101")) {
        fail(c, "handshake refused: " + status);
        return;
      }
      // Sec-WebSocket-Accept is not verified: the peer is our own backend on loopback, and the
      // check would only cost a SHA-1 per agent.
      c.state = AWAITING_ACK;
      c.upgradedAt = System.nanoTime();
      sendText(c, Frames.agentConnect(c.id));
      p = h + HEADER_END.length;
    }
    while (c.ch.isOpen()) {
      int avail = end - p;
      if (avail < 2) {
        break;
      }
      int b0 = a[p] & 0xff;
      int b1 = a[p + 1] & 0xff;
      int hdr = 2;
      long len = b1 & 0x7f;
      if (len == 126) {
        if (avail < 4) {
          break;
        }
        len = ((a[p + 2] & 0xff) << 8) | (a[p + 3] & 0xff);
        hdr = 4;
      } else if (len == 127) {
        if (avail < 10) {
          break;
        }
        len = 0;
        for (int i = 0; i < 8; i++) {
          len = (len << 8) | (a[p + 2 + i] & 0xff);
        }
        hdr = 10;
      }
      boolean masked = (b1 & 0x80) != 0;
      int maskAt = p + hdr;
      if (masked) {
        hdr += 4;
      }
      if (len > Integer.MAX_VALUE - 64) {
        lost(c, "frame of " + len + " bytes");
        return;
      }
      if (avail < hdr + len) {
        break;
      }
      int start = p + hdr;
      if (masked) {
        // Servers do not mask, but unmasking costs nothing to get right.
        for (int i = 0; i < len; i++) {
          a[start + i] ^= a[maskAt + (i & 3)];
        }
      }
      onFrame(c, (b0 & 0x80) != 0, b0 & 0x0f, a, start, (int) len);
      p = start + (int) len;
    }
    if (c.ch.isOpen() && p < end) {
      keepRest(c, a, p, end);
    }
  }

  private static void keepRest(Conn c, byte[] a, int from, int to) {
    int len = to - from;
    if (c.rest == null || c.rest.length < len) {
      c.rest = new byte[Math.max(len, 256)];
    }
    System.arraycopy(a, from, c.rest, 0, len);
    c.restLen = len;
  }

  private void onFrame(Conn c, boolean fin, int opcode, byte[] a, int off, int len) {
    switch (opcode) {
      case 0x0, 0x1, 0x2 -> {
        if (opcode != 0x0) {
          if (fin) {
            if (opcode == 0x1) {
              onText(c, a, off, len);
            }
            return;
          }
          c.fragments = new ByteArrayOutputStream();
          c.fragmentOpcode = opcode;
        }
        if (c.fragments == null) {
          return;
        }
        c.fragments.write(a, off, len);
        if (fin) {
          byte[] whole = c.fragments.toByteArray();
          int op = c.fragmentOpcode;
          c.fragments = null;
          if (op == 0x1) {
            onText(c, whole, 0, whole.length);
          }
        }
      }
      case 0x8 -> {
        int code = len >= 2 ? ((a[off] & 0xff) << 8) | (a[off + 1] & 0xff) : 1005;
        if (c.state < ACKED) {
          String reason = len > 2 ? new String(a, off + 2, len - 2, StandardCharsets.UTF_8) : "";
          fail(c, "closed " + code + " " + reason);
        } else if (c.state == CLOSING) {
          closeDone(c);
        } else if (c.state == ACKED) {
          // Closed by the backend: answer with its code, then it drops the connection.
          sendClose(c, code == 1005 ? 1000 : code, "");
          c.state = DONE;
        }
      }
      case 0x9 -> {
        if (!c.closeSent) {
          write(c, frame(0xA, a, off, len));
        }
      }
      default -> {
        // pong and others: nothing to do
      }
    }
  }

  /** As {@link SimAgent}'s onText: the first ACK completes the connect; PING is answered. */
  private void onText(Conn c, byte[] a, int off, int len) {
    String type = Frames.type(new String(a, off, Math.min(len, 200), StandardCharsets.ISO_8859_1));
    switch (type) {
      case "ACK" -> acked(c);
      case "PING" -> {
        if (!c.closeSent) {
          String text = new String(a, off, len, StandardCharsets.UTF_8);
          sendText(c, Frames.pong(Frames.pingTimestamp(text)));
        }
      }
      case "ERROR" -> {
        if (c.state < ACKED) {
          fail(c, "refused: " + new String(a, off, len, StandardCharsets.UTF_8));
        }
      }
      default -> {}
    }
  }

  private void sendText(Conn c, String text) {
    if (c.closeSent) {
      return;
    }
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    write(c, frame(0x1, payload, 0, payload.length));
  }

  private void sendClose(Conn c, int code, String reason) {
    if (c.closeSent) {
      return;
    }
    byte[] r = reason.getBytes(StandardCharsets.UTF_8);
    byte[] payload = new byte[2 + r.length];
    payload[0] = (byte) (code >> 8);
    payload[1] = (byte) code;
    System.arraycopy(r, 0, payload, 2, r.length);
    write(c, frame(0x8, payload, 0, payload.length));
    c.closeSent = true;
  }

  /** A final client frame: clients must mask, with a fresh random key. */
  private static byte[] frame(int opcode, byte[] payload, int off, int len) {
    int hdr = len < 126 ? 2 : len < 65536 ? 4 : 10;
    byte[] f = new byte[hdr + 4 + len];
    f[0] = (byte) (0x80 | opcode);
    if (len < 126) {
      f[1] = (byte) (0x80 | len);
    } else if (len < 65536) {
      f[1] = (byte) (0x80 | 126);
      f[2] = (byte) (len >> 8);
      f[3] = (byte) len;
    } else {
      f[1] = (byte) (0x80 | 127);
      for (int i = 0; i < 8; i++) {
        f[2 + i] = (byte) (i < 4 ? 0 : (long) len >> (8 * (7 - i)));
      }
    }
    int mask = ThreadLocalRandom.current().nextInt();
    f[hdr] = (byte) (mask >> 24);
    f[hdr + 1] = (byte) (mask >> 16);
    f[hdr + 2] = (byte) (mask >> 8);
    f[hdr + 3] = (byte) mask;
    int m = hdr + 4;
    for (int i = 0; i < len; i++) {
      f[m + i] = (byte) (payload[off + i] ^ f[hdr + (i & 3)]);
    }
    return f;
  }

  /** Writes now what the socket takes; the rest waits in the agent's buffer for OP_WRITE. */
  private void write(Conn c, byte[] bytes) {
    if (!c.ch.isOpen()) {
      return;
    }
    if (c.out != null) {
      if (c.out.capacity() - c.out.remaining() < bytes.length) {
        ByteBuffer bigger =
            ByteBuffer.allocate(Math.max(c.out.capacity() * 2, c.out.remaining() + bytes.length));
        bigger.put(c.out);
        c.out = bigger;
      } else {
        c.out.compact();
      }
      c.out.put(bytes).flip();
      return;
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    try {
      c.ch.write(b);
    } catch (IOException e) {
      lost(c, e.toString());
      return;
    }
    if (b.hasRemaining()) {
      c.out = ByteBuffer.allocate(Math.max(1024, b.remaining() * 2));
      c.out.put(b).flip();
      c.key.interestOpsOr(SelectionKey.OP_WRITE);
    }
  }

  private void flush(Conn c) throws IOException {
    if (c.out == null) {
      c.key.interestOpsAnd(~SelectionKey.OP_WRITE);
      return;
    }
    c.ch.write(c.out);
    if (!c.out.hasRemaining()) {
      c.out = null;
      c.key.interestOpsAnd(~SelectionKey.OP_WRITE);
    }
  }

  private static int indexOf(byte[] a, int end, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= end; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (a[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
