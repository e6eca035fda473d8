package ai.onsembl.e2e.browser;

import ai.onsembl.backend.web.DashboardPage;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.java_websocket.WebSocket;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;

/**
 * The page's real HTTP side ({@link DashboardPage}: /agents, /static, /login) with a scripted
 * {@code /ws/dashboard} and {@code /api/*}: the test decides every frame the page receives
 * (duplicates, out-of-order chunks, hostile names, dropped connections) and reads every frame the
 * page sends. The socket accepts a browser only with a valid session cookie and a same-host Origin,
 * exactly as the real backend does.
 */
final class ScriptedDashboardBackend implements AutoCloseable {

  static final String TOKEN = "scripted-dashboard-token";

  /** What the page said, and whether its handshake authenticated with the cookie. */
  record Received(String frame, boolean cookieAuthenticated) {}

  /**
   * A REST call the page made, and whether the session cookie (with a same-host Origin) authorized
   * it.
   */
  record ApiCall(String method, String pathAndQuery, String body, boolean cookieAuthenticated) {}

  private final DashboardPage web;
  private final HttpServer http;
  private final Server ws;
  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private final List<Boolean> handshakes = new CopyOnWriteArrayList<>();
  private final List<ApiCall> apiCalls = new CopyOnWriteArrayList<>();
  private final Map<String, String> apiAnswers = new ConcurrentHashMap<>();
  private volatile boolean refusing;

  ScriptedDashboardBackend() {
    ws = new Server();
    ws.setReuseAddr(true);
    ws.start();
    try {
      if (!ws.started.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("scripted /ws/dashboard did not start within 10 s");
      }
      http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    web = new DashboardPage(TOKEN::equals, TOKEN.getBytes(StandardCharsets.UTF_8), ws::getPort);
    web.register(http);
    http.createContext("/api/", this::api);
    http.start();
  }

  String httpBase() {
    return "http://127.0.0.1:" + http.getAddress().getPort();
  }

  String loginLink() {
    return web.loginLink(httpBase());
  }

  /** The next frame the page sent, or null after {@code timeout}. */
  Received take(Duration timeout) throws InterruptedException {
    return received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * The next frame of {@code type} the page sent (others are skipped); fails after {@code timeout}.
   */
  String takeType(String type, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    StringBuilder skipped = new StringBuilder();
    while (System.nanoTime() < deadline) {
      Received r =
          received.poll(
              Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
      if (r != null && r.frame().contains("\"type\":\"" + type + "\"")) {
        return r.frame();
      }
      if (r != null) {
        skipped.append("\n  ").append(r.frame());
      }
    }
    throw new AssertionError(
        "expected the page to send " + type + " within " + timeout + ", got:" + skipped);
  }

  /**
   * Scripts the JSON answer to {@code GET path} (path with query, e.g. {@code
   * /api/commands?agentId=a&limit=10}). Unscripted calls get an empty list, or 202 for a POST.
   */
  void answer(String pathAndQuery, String json) {
    apiAnswers.put(pathAndQuery, json);
  }

  List<ApiCall> apiCalls() {
    return List.copyOf(apiCalls);
  }

  private void api(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      String target =
          exchange.getRequestURI().getRawPath()
              + (exchange.getRequestURI().getRawQuery() == null
                  ? ""
                  : "?" + exchange.getRequestURI().getRawQuery());
      boolean authenticated = web.authenticates(exchange);
      apiCalls.add(new ApiCall(exchange.getRequestMethod(), target, body, authenticated));
      int status;
      String json;
      if (!authenticated) {
        status = 401;
        json = "{\"code\":\"UNAUTHORIZED\",\"message\":\"no session\"}";
      } else if ("POST".equals(exchange.getRequestMethod())) {
        status = 202;
        json = apiAnswers.getOrDefault(target, "{}");
      } else {
        status = 200;
        json =
            apiAnswers.getOrDefault(
                target,
                target.contains("/history")
                    ? "{\"history\":[]}"
                    : target.startsWith("/api/commands?")
                        ? "{\"commands\":[]}"
                        : "{\"output\":[]}");
      }
      byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
    } finally {
      exchange.close();
    }
  }

  /**
   * Whether each WebSocket handshake so far carried a valid session cookie and same-host Origin.
   */
  List<Boolean> handshakes() {
    return List.copyOf(handshakes);
  }

  int openSockets() {
    return ws.getConnections().size();
  }

  /** Sends a raw frame to every open page. */
  void send(String frame) {
    ws.broadcast(frame);
  }

  /** Sends {@code type} with {@code payloadJson} in a full envelope. */
  void send(String type, String payloadJson) {
    send(envelope(type, payloadJson));
  }

  static String envelope(String type, String payloadJson) {
    return "{\"type\":\""
        + type
        + "\",\"id\":\""
        + java.util.UUID.randomUUID()
        + "\",\"timestamp\":"
        + System.currentTimeMillis()
        + ",\"payload\":"
        + payloadJson
        + "}";
  }

  /**
   * Closes every page's socket with {@code code}; while refusing, reconnects are closed at once.
   */
  void dropAll(int code, boolean keepRefusing) {
    refusing = keepRefusing;
    for (WebSocket socket : ws.getConnections()) {
      socket.close(code, "scripted drop");
    }
  }

  void accept() {
    refusing = false;
  }

  @Override
  public void close() {
    http.stop(0);
    try {
      ws.stop(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Server extends WebSocketServer {
    final CountDownLatch started = new CountDownLatch(1);
    private final Set<WebSocket> authenticated = ConcurrentHashMap.newKeySet();

    Server() {
      super(new InetSocketAddress("127.0.0.1", 0));
    }

    @Override
    public void onStart() {
      started.countDown();
    }

    @Override
    public void onOpen(WebSocket conn, ClientHandshake handshake) {
      boolean ok =
          "/ws/dashboard".equals(handshake.getResourceDescriptor())
              && web.authenticatesUpgrade(
                  header(handshake, "Cookie"),
                  header(handshake, "Origin"),
                  header(handshake, "Host"));
      handshakes.add(ok);
      if (!ok) {
        conn.close(4401, "Unauthorized");
      } else if (refusing) {
        conn.close(1013, "Try again later");
      } else {
        authenticated.add(conn);
      }
    }

    @Override
    public void onClose(WebSocket conn, int code, String reason, boolean remote) {
      authenticated.remove(conn);
    }

    @Override
    public void onMessage(WebSocket conn, String message) {
      received.add(new Received(message, authenticated.contains(conn)));
    }

    @Override
    public void onError(WebSocket conn, Exception ex) {
      // a page navigating away resets its socket; nothing to do
    }

    private String header(ClientHandshake handshake, String name) {
      return handshake.hasFieldValue(name) ? handshake.getFieldValue(name) : null;
    }
  }
}
