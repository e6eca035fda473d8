package ai.onsembl.e2e.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.java_websocket.WebSocket;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;

/**
 * A hostile backend for a real wrapper process: it accepts the agent, ACKs every AGENT_CONNECT (so the
 * wrapper is online), records every frame the wrapper sends, and lets a test push anything at the current
 * connection: garbage, binary, huge frames, unknown types, oversized commands.
 */
final class HostileServer extends WebSocketServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final CountDownLatch started = new CountDownLatch(1);
  private final List<JsonNode> received = new ArrayList<>();
  private final List<Integer> closeCodes = new ArrayList<>();
  private volatile WebSocket current;
  private int connections;

  HostileServer() {
    super(new InetSocketAddress("127.0.0.1", 0));
    setReuseAddr(true);
    setDaemon(true);
  }

  HostileServer startAndWait() throws InterruptedException {
    start();
    if (!started.await(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("hostile server did not start");
    }
    return this;
  }

  String url() {
    return "ws://127.0.0.1:" + getPort();
  }

  @Override
  public void onStart() {
    started.countDown();
  }

  @Override
  public void onOpen(WebSocket conn, ClientHandshake handshake) {
    synchronized (this) {
      connections++;
    }
    current = conn;
  }

  @Override
  public void onClose(WebSocket conn, int code, String reason, boolean remote) {
    synchronized (received) {
      closeCodes.add(code);
    }
  }

  @Override
  public void onMessage(WebSocket conn, String message) {
    JsonNode n;
    try {
      n = JSON.readTree(message);
    } catch (Exception e) {
      return;
    }
    synchronized (received) {
      received.add(n);
    }
    if ("AGENT_CONNECT".equals(n.path("type").asText())) {
      String agentId = n.path("payload").path("agentId").asText();
      conn.send(frame("ACK", "{\"messageId\":\"" + n.path("id").asText() + "\",\"success\":true,\"agentId\":\""
          + agentId + "\",\"connectionId\":\"hostile-" + connections + "\"}"));
    }
  }

  @Override
  public void onMessage(WebSocket conn, ByteBuffer message) {}

  @Override
  public void onError(WebSocket conn, Exception ex) {}

  static String frame(String type, String payloadJson) {
    return "{\"type\":\"" + type + "\",\"id\":\"h-" + System.nanoTime() + "\",\"timestamp\":"
        + System.currentTimeMillis() + ",\"payload\":" + payloadJson + "}";
  }

  synchronized int connections() {
    return connections;
  }

  /** The connection the wrapper opened last (it may be closed). */
  WebSocket current() {
    return current;
  }

  List<Integer> closeCodes() {
    synchronized (received) {
      return List.copyOf(closeCodes);
    }
  }

  List<JsonNode> received(String type) {
    synchronized (received) {
      return received.stream().filter(n -> type.equals(n.path("type").asText())).toList();
    }
  }

  /** Waits for a frame of {@code type} from the wrapper that matches {@code test}. */
  JsonNode await(String type, Predicate<JsonNode> test, Duration timeout) {
    JsonNode[] found = new JsonNode[1];
    Awaitility.await("wrapper sends " + type).atMost(timeout).pollInterval(Duration.ofMillis(20)).until(() -> {
      for (JsonNode n : received(type)) {
        if (test.test(n)) {
          found[0] = n;
          return true;
        }
      }
      return false;
    });
    return found[0];
  }

  /** The wrapper is online on an open connection: a PING there is answered with a PONG echoing its timestamp. */
  void assertAnswersPing(long marker, Duration timeout) {
    Awaitility.await("the wrapper answers PING " + marker).atMost(timeout).pollInterval(Duration.ofMillis(200))
        .until(() -> {
          WebSocket c = current;
          if (c != null && c.isOpen() && received("AGENT_CONNECT").size() > 0) {
            c.send(frame("PING", "{\"timestamp\":" + marker + "}"));
          }
          return received("PONG").stream().anyMatch(n -> n.path("payload").path("timestamp").asLong() == marker);
        });
  }

  @Override
  public void close() throws InterruptedException {
    stop(2000);
  }
}
