package ai.onsembl.testing;

import ai.onsembl.protocol.AgentConnect;
import ai.onsembl.protocol.AgentType;
import ai.onsembl.protocol.Capabilities;
import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.protocol.Payload;
import ai.onsembl.protocol.Ping;
import ai.onsembl.protocol.Pong;
import ai.onsembl.protocol.ProtocolCodec;
import ai.onsembl.protocol.ProtocolException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;

/**
 * The repository's one protocol test client: a real Java-WebSocket client that records every frame
 * it gets (decoded; the raw text goes to {@link #onText}) and how it was closed, for an agent
 * ({@link #agent(URI, String)}) or a dashboard ({@link #open(URI)} on {@code /ws/dashboard} answers
 * PINGs). A frame the codec refuses fails loudly: the backend under test must never send one.
 */
public class ProtocolClient extends WebSocketClient {
  /** Every decoded frame, in arrival order; tests take from it. */
  public final BlockingQueue<Message> received = new LinkedBlockingQueue<>();

  /** Completes with the close code. */
  public final CompletableFuture<Integer> closeCode = new CompletableFuture<>();

  /** Answer each PING with a PONG echoing it (dashboards do by default). */
  public volatile boolean answerPings;

  /** "code 'reason' remote=…" once closed. */
  public volatile String closeInfo;

  private volatile Consumer<String> onText = text -> {};
  private volatile Consumer<Message> onMessage = m -> {};

  public ProtocolClient(URI uri) {
    super(uri);
  }

  public ProtocolClient(URI uri, Map<String, String> headers) {
    super(uri, headers);
  }

  /** Called with every text frame as it came, before it is decoded (on the socket's thread). */
  public ProtocolClient onText(Consumer<String> listener) {
    this.onText = listener;
    return this;
  }

  /** Called with every decoded frame after it was recorded (on the socket's thread; may send). */
  public ProtocolClient onMessage(Consumer<Message> listener) {
    this.onMessage = listener;
    return this;
  }

  /** Connects; a dashboard answers the backend's PINGs, as every real dashboard does. */
  public static ProtocolClient open(URI uri) throws InterruptedException {
    ProtocolClient c = new ProtocolClient(uri);
    c.answerPings = "/ws/dashboard".equals(uri.getPath());
    c.connectOrFail();
    return c;
  }

  public void connectOrFail() throws InterruptedException {
    if (!connectBlocking(5, TimeUnit.SECONDS)) {
      close();
      throw new AssertionError("Expected to connect to " + uri + " within 5 s but did not");
    }
  }

  /** Opens an agent connection, sends AGENT_CONNECT and waits for the ACK. */
  public static ProtocolClient agent(URI uri, String agentId) throws InterruptedException {
    ProtocolClient c = open(uri);
    c.send(agentConnect(agentId));
    c.expect(MessageType.ACK, Duration.ofSeconds(5));
    // Read the SERVER_HEARTBEAT that follows too: a client that closes with frames still unread
    // makes its
    // kernel send RST, and the backend then rightly records an abnormal close (1006).
    c.expect(MessageType.SERVER_HEARTBEAT, Duration.ofSeconds(5));
    return c;
  }

  /** An AGENT_CONNECT for {@code agentId} (CUSTOM, version 1.0.0, capabilities set). */
  public static Message agentConnect(String agentId) {
    return Message.of(
        new AgentConnect(
            agentId,
            "test " + agentId,
            EnumValue.of(AgentType.CUSTOM),
            "1.0.0",
            "vm",
            Capabilities.of(0, true, true)));
  }

  public void send(Payload p) {
    send(Message.of(p));
  }

  public void send(Message m) {
    send(ProtocolCodec.standard().encode(m));
  }

  /** The next frame of {@code type}, skipping others; fails when none comes in time. */
  public Message expect(MessageType type, Duration timeout) throws InterruptedException {
    Message m = next(type, timeout);
    if (m == null) {
      throw new AssertionError(
          "Expected "
              + type
              + " within "
              + timeout.toMillis()
              + " ms but got none; left: "
              + received);
    }
    return m;
  }

  /** The next frame of {@code type}, skipping others, or null. */
  public Message next(MessageType type, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      Message m = received.poll(left, TimeUnit.NANOSECONDS);
      if (m == null || m.type() == type) {
        return m;
      }
    }
  }

  /** Every frame of {@code type} that arrives within {@code window}. */
  public List<Message> collect(MessageType type, Duration window) throws InterruptedException {
    List<Message> out = new ArrayList<>();
    long deadline = System.nanoTime() + window.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return out;
      }
      Message m = received.poll(left, TimeUnit.NANOSECONDS);
      if (m != null && m.type() == type) {
        out.add(m);
      }
    }
  }

  /** Every frame that is queued now or arrives within {@code window}, in order. */
  public List<Message> drain(Duration window) throws InterruptedException {
    List<Message> out = new ArrayList<>();
    long deadline = System.nanoTime() + window.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      Message m = received.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
      if (m == null) {
        return out;
      }
      out.add(m);
    }
  }

  /**
   * Closes with 1000 and waits at most {@code wait} for the handshake; past it (a frozen or
   * vanished peer) drops the connection, so the client's thread always ends.
   */
  public void closeBounded(Duration wait) {
    close();
    try {
      closeCode.get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
      if (getConnection() instanceof org.java_websocket.WebSocketImpl impl) {
        impl.closeConnection(1006, "close handshake timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public int awaitClose(Duration timeout) throws Exception {
    return closeCode.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void onOpen(ServerHandshake handshake) {}

  @Override
  public void onMessage(String text) {
    onText.accept(text);
    Message m;
    try {
      m = ProtocolCodec.standard().decode(text);
    } catch (ProtocolException e) {
      throw new AssertionError("backend sent a frame the codec refuses: " + text, e);
    }
    if (answerPings && m.type() == MessageType.PING) {
      send(Pong.answering(m.payload(Ping.class), System.currentTimeMillis()));
    }
    received.add(m);
    onMessage.accept(m);
  }

  @Override
  public void onMessage(ByteBuffer bytes) {}

  @Override
  public void onClose(int code, String reason, boolean remote) {
    closeInfo = code + " '" + reason + "' remote=" + remote;
    closeCode.complete(code);
  }

  @Override
  public void onError(Exception ex) {}
}
