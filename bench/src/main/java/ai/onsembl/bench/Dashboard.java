package ai.onsembl.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A dashboard socket (JDK WebSocket client). Every frame becomes an {@link Event} stamped with
 * {@link System#nanoTime()} on arrival; a tap sees each one on the socket's thread, the rest are
 * queued.
 */
final class Dashboard implements WebSocket.Listener, AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A frame: its type, payload.agentId, payload.status, the payload, arrival nanoTime, and for a
   * TERMINAL_STREAM read by a {@link CountingDashboard} the length of {@code content} in chars
   * (which its payload then leaves out; else -1).
   */
  record Event(
      String type, String agentId, String status, JsonNode payload, long nanos, long contentChars) {
    Event(String type, String agentId, String status, JsonNode payload, long nanos) {
      this(type, agentId, status, payload, nanos, -1);
    }
  }

  private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final StringBuilder partial = new StringBuilder();
  private final Consumer<Event> tap;
  private final boolean queue;
  private volatile WebSocket ws;
  private volatile String closedWith;
  private volatile boolean closing;

  /** Nanoseconds this dashboard spends on each frame (a slow reader), 0 for as fast as it can. */
  private volatile long nanosPerFrame;

  private CompletableFuture<WebSocket> sending = CompletableFuture.completedFuture(null);

  private Dashboard(Consumer<Event> tap, boolean queue) {
    this.tap = tap;
    this.queue = queue;
  }

  /** Opens it, sends DASHBOARD_INIT and waits for DASHBOARD_CONNECTED. */
  static Dashboard open(BackendProcess backend, Consumer<Event> tap, boolean queue)
      throws Exception {
    Dashboard d = new Dashboard(tap, queue);
    d.ws =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .header("Authorization", "Bearer " + BackendProcess.DASHBOARD_TOKEN)
            .connectTimeout(Duration.ofSeconds(10))
            .buildAsync(backend.dashboardUri(), d)
            .get(15, TimeUnit.SECONDS);
    d.send(Frames.dashboardInit());
    return d;
  }

  /**
   * As {@link #open(BackendProcess, Consumer, boolean)}, reading at most {@code framesPerSecond}
   * frames/s.
   */
  static Dashboard openSlow(BackendProcess backend, Consumer<Event> tap, int framesPerSecond)
      throws Exception {
    Dashboard d = open(backend, tap, false);
    d.nanosPerFrame = 1_000_000_000L / framesPerSecond;
    return d;
  }

  static Dashboard open(BackendProcess backend) throws Exception {
    return open(backend, e -> {}, true);
  }

  synchronized void send(String text) {
    sending = sending.thenCompose(x -> ws.sendText(text, true));
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    long now = System.nanoTime();
    partial.append(data);
    if (last) {
      String text = partial.toString();
      partial.setLength(0);
      handle(text, now);
      long pause = nanosPerFrame;
      if (pause > 0) {
        java.util.concurrent.locks.LockSupport.parkNanos(
            pause); // a slow reader: the socket backs up
      }
    }
    webSocket.request(1);
    return null;
  }

  private void handle(String text, long now) {
    try {
      JsonNode n = JSON.readTree(text);
      String type = n.path("type").asText();
      JsonNode p = n.path("payload");
      if (type.equals("PING")) {
        send(Frames.pong(p.path("timestamp").asLong()));
        return;
      }
      Event e =
          new Event(type, p.path("agentId").asText(null), p.path("status").asText(null), p, now);
      tap.accept(e);
      if (queue) {
        events.add(e);
      }
    } catch (Exception e) {
      System.err.println("dashboard: unreadable frame: " + e);
    }
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    if (!closing) {
      closedWith = statusCode + " " + reason;
      System.err.println("dashboard: closed by the backend: " + closedWith);
    }
    return null;
  }

  /**
   * Null while open; the close code and reason once the backend closed it (e.g. dropped as too
   * slow).
   */
  String closedWith() {
    return closedWith;
  }

  /**
   * The next queued event matching {@code what}, skipping others; throws when none comes in time.
   */
  Event await(Predicate<Event> what, Duration timeout, String description)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      Event e = left > 0 ? events.poll(left, TimeUnit.NANOSECONDS) : null;
      if (e == null) {
        throw new IllegalStateException(
            "dashboard: expected " + description + " within " + timeout + ", none came");
      }
      if (what.test(e)) {
        return e;
      }
    }
  }

  static Predicate<Event> status(String agentId, String status) {
    return e ->
        e.type().equals("AGENT_STATUS") && agentId.equals(e.agentId()) && status.equals(e.status());
  }

  static Predicate<Event> disconnect(String agentId) {
    return e -> e.type().equals("AGENT_DISCONNECT") && agentId.equals(e.agentId());
  }

  void clear() {
    events.clear();
  }

  @Override
  public void close() {
    closing = true;
    try {
      ws.sendClose(1000, "").get(5, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // best effort
    }
    ws.abort();
  }
}
