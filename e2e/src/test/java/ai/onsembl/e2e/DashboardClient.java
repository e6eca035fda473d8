package ai.onsembl.e2e;

import ai.onsembl.testing.ProtocolClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;

/**
 * A dashboard on {@code /ws/dashboard} (the shared {@link ProtocolClient}) that records every frame
 * it receives as JSON and answers the backend's PINGs.
 */
public final class DashboardClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<JsonNode> frames = new ArrayList<>();
  private final ProtocolClient socket;

  private DashboardClient(String wsUrl, String token) {
    this.socket =
        new ProtocolClient(
            URI.create(wsUrl + "/ws/dashboard?token=" + token),
            Map.of("Authorization", "Bearer " + token));
    socket.answerPings = true;
    socket.onText(
        text -> {
          try {
            JsonNode n = JSON.readTree(text);
            synchronized (frames) {
              frames.add(n);
            }
          } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  /** Connects and sends our DASHBOARD_INIT (every agent, terminals). */
  public static DashboardClient connect(String wsUrl, String token) throws Exception {
    DashboardClient c = open(wsUrl, token);
    c.send(
        "{\"type\":\"DASHBOARD_INIT\",\"id\":\"init-1\",\"timestamp\":"
            + System.currentTimeMillis()
            + ",\"payload\":{\"subscriptions\":{\"agents\":[\"*\"],\"terminals\":true}}}");
    return c;
  }

  /**
   * Connects and sends nothing (the test sends its own frames); the backend's PINGs are answered.
   */
  public static DashboardClient open(String wsUrl, String token) throws Exception {
    DashboardClient c = new DashboardClient(wsUrl, token);
    c.socket.connectOrFail();
    return c;
  }

  /** Sends one text frame. */
  public void send(String text) {
    socket.send(text);
  }

  /** Every frame received so far, in order. */
  public List<JsonNode> frames() {
    synchronized (frames) {
      return List.copyOf(frames);
    }
  }

  /** Every frame received so far, of {@code type}. */
  public List<JsonNode> frames(String type) {
    synchronized (frames) {
      return frames.stream()
          .filter(f -> type.equals(f.path("type").asText()))
          .collect(Collectors.toList());
    }
  }

  /** Waits for a frame of {@code type} whose payload matches. */
  public JsonNode await(String type, Predicate<JsonNode> payload, Duration timeout) {
    JsonNode[] found = new JsonNode[1];
    Awaitility.await("dashboard " + type)
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(10))
        .until(
            () -> {
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
    socket.closeBounded(Duration.ofSeconds(2));
  }
}
