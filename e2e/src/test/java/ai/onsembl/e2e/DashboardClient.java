package ai.onsembl.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;

/** A dashboard on {@code /ws/dashboard} (JDK WebSocket client) that records every frame it receives. */
public final class DashboardClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<JsonNode> frames = new ArrayList<>();
  private final WebSocket socket;
  private final AtomicReference<CompletableFuture<?>> sends;

  private DashboardClient(WebSocket socket, AtomicReference<CompletableFuture<?>> sends) {
    this.socket = socket;
    this.sends = sends;
  }

  /** The JDK socket takes one send at a time: each waits for the one before (our PONGs and the test's frames). */
  private static CompletableFuture<?> sendInOrder(WebSocket w, AtomicReference<CompletableFuture<?>> sends,
      String text) {
    synchronized (sends) {
      CompletableFuture<?> next = sends.get().exceptionally(e -> null).thenCompose(x -> w.sendText(text, true));
      sends.set(next);
      return next;
    }
  }

  /** Connects and sends our DASHBOARD_INIT (every agent, terminals). */
  public static DashboardClient connect(String wsUrl, String token) throws Exception {
    DashboardClient c = open(wsUrl, token);
    c.send("{\"type\":\"DASHBOARD_INIT\",\"id\":\"init-1\",\"timestamp\":" + System.currentTimeMillis()
        + ",\"payload\":{\"subscriptions\":{\"agents\":[\"*\"],\"terminals\":true}}}");
    return c;
  }

  /** Connects and sends nothing (the test sends its own frames); the backend's PINGs are answered. */
  public static DashboardClient open(String wsUrl, String token) throws Exception {
    DashboardClient[] self = new DashboardClient[1];
    List<JsonNode> early = new ArrayList<>();
    AtomicReference<CompletableFuture<?>> sends = new AtomicReference<>(CompletableFuture.completedFuture(null));
    WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
        .header("Authorization", "Bearer " + token)
        .connectTimeout(Duration.ofSeconds(5))
        .buildAsync(URI.create(wsUrl + "/ws/dashboard?token=" + token), new WebSocket.Listener() {
          private final StringBuilder partial = new StringBuilder();

          @Override
          public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
              try {
                JsonNode n = JSON.readTree(partial.toString());
                synchronized (early) {
                  if (self[0] == null) {
                    early.add(n);
                  } else {
                    self[0].add(n);
                  }
                }
                if ("PING".equals(n.path("type").asText())) {
                  sendInOrder(w, sends, "{\"type\":\"PONG\",\"id\":\"pong-" + System.nanoTime() + "\",\"timestamp\":"
                      + System.currentTimeMillis() + ",\"payload\":{\"timestamp\":"
                      + n.path("payload").path("timestamp").asLong() + "}}");
                }
              } catch (Exception e) {
                // not JSON: recorded nowhere; the assertions will show what is missing
              }
              partial.setLength(0);
            }
            w.request(1);
            return null;
          }
        }).get(10, TimeUnit.SECONDS);
    DashboardClient c = new DashboardClient(ws, sends);
    synchronized (early) {
      self[0] = c;
      early.forEach(c::add);
    }
    return c;
  }

  /** Sends one text frame and waits until it is handed to the socket. */
  public void send(String text) throws Exception {
    sendInOrder(socket, sends, text).get(5, TimeUnit.SECONDS);
  }

  /** Every frame received so far, in order. */
  public List<JsonNode> frames() {
    synchronized (frames) {
      return List.copyOf(frames);
    }
  }

  private void add(JsonNode n) {
    synchronized (frames) {
      frames.add(n);
    }
  }

  /** Every frame received so far, of {@code type}. */
  public List<JsonNode> frames(String type) {
    synchronized (frames) {
      return frames.stream().filter(f -> type.equals(f.path("type").asText())).collect(Collectors.toList());
    }
  }

  /** Waits for a frame of {@code type} whose payload matches. */
  public JsonNode await(String type, Predicate<JsonNode> payload, Duration timeout) {
    JsonNode[] found = new JsonNode[1];
    Awaitility.await("dashboard " + type).atMost(timeout).pollInterval(Duration.ofMillis(10)).until(() -> {
      for (JsonNode f : frames(type)) {
        if (payload.test(f.path("payload"))) {
          found[0] = f;
          return true;
        }
      }
      return false;
    });
    return found[0];
  }

  @Override
  public void close() {
    socket.abort();
  }
}
