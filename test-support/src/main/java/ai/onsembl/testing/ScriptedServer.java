package ai.onsembl.testing;

import ai.onsembl.protocol.Ack;
import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.ErrorCode;
import ai.onsembl.protocol.ErrorMessage;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.protocol.Payload;
import ai.onsembl.protocol.ProtocolCodec;
import ai.onsembl.protocol.ServerHeartbeat;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.java_websocket.WebSocket;
import org.java_websocket.framing.Framedata;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;

/**
 * A small scripted backend for tests of the wrapper (wrapper-core's link tests, e2e's
 * hostile-backend tests), in the manner of OkHttp's MockWebServer: binds 127.0.0.1 on port 0 (or a
 * given port, to restart "the same backend"), records every open, frame and close in order, and
 * answers AGENT_CONNECT as scripted. Not the reference backend (wrapper-core must not depend on
 * it): just enough protocol to drive the wrapper, in both dialects, and a way to push anything at
 * it ({@link #sendText}).
 */
public final class ScriptedServer implements AutoCloseable {
  private static final ProtocolCodec CODEC = ProtocolCodec.standard();

  public enum Kind {
    OPEN,
    FRAME,
    CLOSE
  }

  /**
   * One recorded event; {@code message} is set for decodable frames; {@code atNanos} is
   * System.nanoTime().
   */
  public record Event(
      Kind kind,
      int connection,
      String text,
      Message message,
      int code,
      String reason,
      String resource,
      String authorization,
      long atNanos) {
    public MessageType type() {
      return message == null ? null : message.type();
    }

    @Override
    public String toString() {
      return kind
          + "#"
          + connection
          + (kind == Kind.FRAME
              ? " " + (message == null ? text : message.type())
              : kind == Kind.CLOSE ? " " + code : " " + resource);
    }
  }

  /** How AGENT_CONNECT is answered. */
  public enum ConnectReply {
    ACK,
    ERROR_UNAUTHORIZED_THEN_4401,
    CLOSE_4401,
    NOTHING
  }

  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final List<WebSocket> connections = new CopyOnWriteArrayList<>();
  private final int requestedPort;
  private volatile Server server;
  private volatile ConnectReply connectReply = ConnectReply.ACK;
  private volatile String assignedAgentId;
  private volatile Long nextPingExpected;
  private volatile boolean typescript;
  private volatile boolean silent;
  private volatile long readPauseNanos;
  private volatile java.util.function.BooleanSupplier connectReplyHold;
  private volatile java.util.function.Function<String, String> ackWith;

  public ScriptedServer() {
    this(0);
  }

  public ScriptedServer(int port) {
    this.requestedPort = port;
  }

  public ScriptedServer connectReply(ConnectReply reply) {
    this.connectReply = reply;
    return this;
  }

  /**
   * Answers AGENT_CONNECT only once {@code ready} is true (checked every 10 ms, at most 10 s): for
   * a test whose agent must have started something before the reply ends the wrapper.
   */
  public ScriptedServer holdConnectReplyUntil(java.util.function.BooleanSupplier ready) {
    this.connectReplyHold = ready;
    return this;
  }

  /** The agent id the ACK assigns (null: echo the agent's own). */
  public ScriptedServer assignAgentId(String id) {
    this.assignedAgentId = id;
    return this;
  }

  /** Answers AGENT_CONNECT with raw text made from the connect frame's id (e.g. a captured ACK). */
  public ScriptedServer ackWith(java.util.function.Function<String, String> ackTextForConnectId) {
    this.ackWith = ackTextForConnectId;
    return this;
  }

  /** Sends SERVER_HEARTBEAT {nextPingExpected} right after the ACK. */
  public ScriptedServer serverHeartbeat(Duration interval) {
    this.nextPingExpected = interval.toMillis();
    return this;
  }

  /**
   * The TypeScript backend's dialect: ERROR UNKNOWN_MESSAGE_TYPE for AGENT_HEARTBEAT,
   * INVALID_MESSAGE_TYPE for AGENT_DISCONNECT.
   */
  public ScriptedServer typescript() {
    this.typescript = true;
    return this;
  }

  /**
   * A backend slower than its agent: after each TERMINAL_OUTPUT frame the connection's reader
   * pauses {@code perFrame} before it reads on, so the agent's frames back up in the socket buffers
   * and in the agent. Zero: read at full speed.
   */
  public ScriptedServer readSlowly(Duration perFrame) {
    this.readPauseNanos = perFrame.toNanos();
    return this;
  }

  /** From now on: no frames, no WebSocket pongs (a half-open link, as the agent sees it). */
  public void goSilent() {
    this.silent = true;
  }

  public ScriptedServer start() throws InterruptedException {
    Server s = new Server(requestedPort);
    s.setReuseAddr(true);
    s.start();
    if (!s.started.await(5, TimeUnit.SECONDS)) {
      throw new IllegalStateException("scripted server did not start within 5 s");
    }
    server = s;
    return this;
  }

  public int port() {
    return server.getPort();
  }

  public URI uri() {
    return URI.create("ws://127.0.0.1:" + port());
  }

  /**
   * Stops listening and drops every connection (a crashed backend, as the agent sees it). Bounded.
   */
  @Override
  public void close() throws InterruptedException {
    Server s = server;
    if (s != null) {
      s.stop(2000);
      server = null;
    }
  }

  public List<Event> events() {
    return new ArrayList<>(events);
  }

  public List<Message> frames(MessageType type) {
    List<Message> out = new ArrayList<>();
    for (Event e : events) {
      if (e.kind() == Kind.FRAME && e.type() == type) {
        out.add(e.message());
      }
    }
    return out;
  }

  /** Waits up to {@code timeout} for an event matching {@code p}; null when none came. */
  public Event await(Predicate<Event> p, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (Event e : events) {
        if (p.test(e)) {
          return e;
        }
      }
      if (System.nanoTime() > deadline) {
        return null;
      }
      synchronized (events) {
        events.wait(20);
      }
    }
  }

  /** Waits for the first frame of {@code type}; fails with what came instead. */
  public Message awaitFrame(MessageType type, Duration timeout) throws InterruptedException {
    Event e = await(ev -> ev.kind() == Kind.FRAME && ev.type() == type, timeout);
    if (e == null) {
      throw new AssertionError(
          "Expected a " + type + " frame within " + timeout + " but got " + events());
    }
    return e.message();
  }

  public int connectionCount() {
    int n = 0;
    for (Event e : events) {
      if (e.kind() == Kind.OPEN) {
        n++;
      }
    }
    return n;
  }

  /** Sends {@code payload} on the newest connection. */
  public void send(Payload payload) {
    sendText(CODEC.encode(Message.of(payload)));
  }

  public void sendText(String text) {
    WebSocket c = connections.isEmpty() ? null : connections.get(connections.size() - 1);
    if (c == null) {
      throw new IllegalStateException("no connection to send on");
    }
    c.send(text);
  }

  /** Sends a binary frame on the newest connection (the protocol has none: a hostile backend's). */
  public void sendBinary(java.nio.ByteBuffer bytes) {
    WebSocket c = connections.isEmpty() ? null : connections.get(connections.size() - 1);
    if (c == null) {
      throw new IllegalStateException("no connection to send on");
    }
    c.send(bytes);
  }

  /** The close codes seen so far, in order. */
  public List<Integer> closeCodes() {
    List<Integer> out = new ArrayList<>();
    for (Event e : events) {
      if (e.kind() == Kind.CLOSE) {
        out.add(e.code());
      }
    }
    return out;
  }

  /**
   * Drops every open connection without a close handshake (a cut network, as the agents see it:
   * 1006).
   */
  public void dropAll() {
    for (WebSocket c : connections) {
      if (c.isOpen() && c instanceof org.java_websocket.WebSocketImpl impl) {
        impl.closeConnection(1006, "Dropped by test");
      }
    }
  }

  /** Closes the newest connection with {@code code}. */
  public void closeNewest(int code, String reason) {
    connections.get(connections.size() - 1).close(code, reason);
  }

  private void record(Event e) {
    events.add(e);
    synchronized (events) {
      events.notifyAll();
    }
  }

  private final class Server extends WebSocketServer {
    final CountDownLatch started = new CountDownLatch(1);

    Server(int port) {
      super(new InetSocketAddress("127.0.0.1", port));
      setConnectionLostTimeout(0);
    }

    @Override
    public void onStart() {
      started.countDown();
    }

    @Override
    public void onOpen(WebSocket conn, ClientHandshake handshake) {
      connections.add(conn);
      conn.setAttachment(connections.size());
      record(
          new Event(
              Kind.OPEN,
              conn.<Integer>getAttachment(),
              null,
              null,
              0,
              null,
              handshake.getResourceDescriptor(),
              handshake.getFieldValue("Authorization"),
              System.nanoTime()));
    }

    @Override
    public void onMessage(WebSocket conn, String text) {
      Message m = null;
      try {
        m = CODEC.decode(text);
      } catch (Exception e) {
        // recorded raw
      }
      record(
          new Event(
              Kind.FRAME,
              conn.<Integer>getAttachment(),
              text,
              m,
              0,
              null,
              null,
              null,
              System.nanoTime()));
      if (m == null || silent) {
        return;
      }
      answer(conn, m);
      long pause = readPauseNanos;
      if (pause > 0 && m.type() == MessageType.TERMINAL_OUTPUT) {
        // The load shape of a slow backend, not a wait for anything: this reader takes less per
        // second.
        java.util.concurrent.locks.LockSupport.parkNanos(pause);
      }
    }

    private void answer(WebSocket conn, Message m) {
      switch (m.type()) {
        case AGENT_CONNECT -> {
          java.util.function.BooleanSupplier hold = connectReplyHold;
          if (hold != null) {
            // Bounded: a test whose condition never comes true fails on what it awaits next.
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!hold.getAsBoolean() && System.nanoTime() < end) {
              java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
            }
          }
          switch (connectReply) {
            case ACK -> {
              if (ackWith != null) {
                conn.send(ackWith.apply(m.id()));
                return;
              }
              ai.onsembl.protocol.AgentConnect ac = (ai.onsembl.protocol.AgentConnect) m.payload();
              String id = assignedAgentId != null ? assignedAgentId : ac.agentId();
              conn.send(
                  CODEC.encode(
                      Message.of(
                          new Ack(
                              m.id(),
                              true,
                              id,
                              "conn-" + conn.getAttachment(),
                              typescript ? true : null,
                              null))));
              if (nextPingExpected != null) {
                conn.send(
                    CODEC.encode(
                        Message.of(
                            new ServerHeartbeat(System.currentTimeMillis(), nextPingExpected))));
              }
            }
            case ERROR_UNAUTHORIZED_THEN_4401 -> {
              conn.send(
                  CODEC.encode(
                      Message.of(
                          ErrorMessage.of(
                              ErrorCode.UNAUTHORIZED, "Invalid authentication token"))));
              conn.close(4401, "Authentication failed");
            }
            case CLOSE_4401 -> conn.close(4401, "Authentication failed");
            case NOTHING -> {}
          }
        }
        case AGENT_HEARTBEAT -> {
          if (typescript) {
            conn.send(
                CODEC.encode(
                    Message.of(
                        new ErrorMessage(
                            EnumValue.of(ErrorCode.UNKNOWN_MESSAGE_TYPE),
                            "Unknown message type: AGENT_HEARTBEAT",
                            null,
                            null))));
          }
        }
        case AGENT_DISCONNECT -> {
          if (typescript) {
            conn.send(
                CODEC.encode(
                    Message.of(
                        new ErrorMessage(
                            EnumValue.of(ErrorCode.INVALID_MESSAGE_TYPE),
                            "Invalid message type: AGENT_DISCONNECT",
                            null,
                            null))));
          }
        }
        default -> {}
      }
    }

    @Override
    public void onWebsocketPing(WebSocket conn, Framedata f) {
      if (!silent) {
        super.onWebsocketPing(conn, f);
      }
    }

    @Override
    public void onClose(WebSocket conn, int code, String reason, boolean remote) {
      Integer idx = conn.getAttachment();
      record(
          new Event(
              Kind.CLOSE,
              idx == null ? -1 : idx,
              null,
              null,
              code,
              reason,
              null,
              null,
              System.nanoTime()));
    }

    @Override
    public void onError(WebSocket conn, Exception ex) {
      // conn may be null (Java-WebSocket trap); nothing to record for a server-level error
    }
  }
}
