package ai.onsembl.backend;

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
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;

/** A real Java-WebSocket client that records every frame it gets and how it was closed. */
final class WsClient extends WebSocketClient {
  final BlockingQueue<Message> received = new LinkedBlockingQueue<>();
  final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  volatile boolean answerPings;
  volatile String closeInfo;

  WsClient(URI uri) {
    super(uri);
  }

  WsClient(URI uri, Map<String, String> headers) {
    super(uri, headers);
  }

  /** Connects; a dashboard answers the backend's PINGs, as every real dashboard does. */
  static WsClient open(URI uri) throws InterruptedException {
    WsClient c = new WsClient(uri);
    c.answerPings = "/ws/dashboard".equals(uri.getPath());
    c.connectOrFail();
    return c;
  }

  void connectOrFail() throws InterruptedException {
    if (!connectBlocking(5, TimeUnit.SECONDS)) {
      close();
      throw new AssertionError("Expected to connect to " + uri + " within 5 s but did not");
    }
  }

  /** Opens an agent connection, sends AGENT_CONNECT and waits for the ACK. */
  static WsClient agent(URI uri, String agentId) throws InterruptedException {
    WsClient c = open(uri);
    c.send(connect(agentId));
    c.expect(MessageType.ACK, Duration.ofSeconds(5));
    // Read the SERVER_HEARTBEAT that follows too: a client that closes with frames still unread makes its
    // kernel send RST, and the backend then rightly records an abnormal close (1006).
    c.expect(MessageType.SERVER_HEARTBEAT, Duration.ofSeconds(5));
    return c;
  }

  static Message connect(String agentId) {
    return Message.of(new AgentConnect(agentId, "test " + agentId, EnumValue.of(AgentType.CUSTOM), "1.0.0", "vm",
        Capabilities.of(0, true, true)));
  }

  void send(Payload p) {
    send(Message.of(p));
  }

  void send(Message m) {
    send(ProtocolCodec.standard().encode(m));
  }

  /** The next frame of {@code type}, skipping others; fails when none comes in time. */
  Message expect(MessageType type, Duration timeout) throws InterruptedException {
    Message m = next(type, timeout);
    if (m == null) {
      throw new AssertionError("Expected " + type + " within " + timeout.toMillis() + " ms but got none; left: "
          + received);
    }
    return m;
  }

  /** The next frame of {@code type}, skipping others, or null. */
  Message next(MessageType type, Duration timeout) throws InterruptedException {
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
  List<Message> collect(MessageType type, Duration window) throws InterruptedException {
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
  List<Message> drain(Duration window) throws InterruptedException {
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

  int awaitClose(Duration timeout) throws Exception {
    return closeCode.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void onOpen(ServerHandshake handshake) {}

  @Override
  public void onMessage(String text) {
    try {
      Message m = ProtocolCodec.standard().decode(text);
      if (answerPings && m.type() == MessageType.PING) {
        send(Pong.answering(m.payload(Ping.class), System.currentTimeMillis()));
      }
      received.add(m);
    } catch (ProtocolException e) {
      throw new AssertionError("backend sent a frame the codec refuses: " + text, e);
    }
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
