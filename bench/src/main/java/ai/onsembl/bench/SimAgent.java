package ai.onsembl.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A simulated agent on the JDK WebSocket client: AGENT_CONNECT, answers PING, heartbeats on demand,
 * closes cleanly. {@link #goSilent()} stops reading, so it answers neither PING nor WebSocket
 * pings.
 */
final class SimAgent implements WebSocket.Listener {
  final String agentId;
  private final CompletableFuture<SimAgent> acked = new CompletableFuture<>();
  private final CompletableFuture<Void> serverHeartbeat = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private volatile WebSocket ws;
  private volatile boolean silent;
  private volatile long lastSentNanos;
  private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);

  private final boolean quietAfterHello;
  private final java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();

  private SimAgent(String agentId, boolean quietAfterHello) {
    this.agentId = agentId;
    this.quietAfterHello = quietAfterHello;
  }

  /** Completes when the backend has ACKed AGENT_CONNECT. */
  static CompletableFuture<SimAgent> connect(
      HttpClient client, URI uri, String agentId, String token) {
    return connect(client, uri, agentId, token, false);
  }

  /**
   * With {@code quietAfterHello} it stops reading after SERVER_HEARTBEAT: see {@link #goSilent()}.
   */
  static CompletableFuture<SimAgent> connect(
      HttpClient client, URI uri, String agentId, String token, boolean quietAfterHello) {
    SimAgent a = new SimAgent(agentId, quietAfterHello);
    client
        .newWebSocketBuilder()
        .header("Authorization", "Bearer " + token)
        .connectTimeout(Duration.ofSeconds(60))
        .buildAsync(uri, a)
        .whenComplete(
            (ws, err) -> {
              if (err != null) {
                a.acked.completeExceptionally(err);
              } else {
                a.ws = ws;
                a.send(Frames.agentConnect(agentId));
              }
            });
    return a.acked;
  }

  /** Sends are chained: the JDK client refuses a send while the previous one is pending. */
  synchronized CompletableFuture<?> send(String text) {
    sending =
        sending
            .handle((x, e) -> null)
            .thenCompose(
                x -> {
                  lastSentNanos = System.nanoTime();
                  return ws.sendText(text, true);
                });
    return sending;
  }

  CompletableFuture<?> heartbeat() {
    if (ws != null && !ws.isOutputClosed()) {
      return send(Frames.heartbeat(agentId));
    }
    return CompletableFuture.completedFuture(null);
  }

  /** nanoTime of the start of the last send. */
  long lastSentNanos() {
    return lastSentNanos;
  }

  /**
   * For an agent connected {@code quietAfterHello}: waits until SERVER_HEARTBEAT (sent right after
   * the ACK) has been read, after which it reads nothing more: no PONG, and with no read demand the
   * JDK client answers no WebSocket ping either.
   */
  void goSilent() throws Exception {
    // Not setting `silent` here: racing the ACK's onText, that could withhold the read of
    // SERVER_HEARTBEAT.
    try {
      serverHeartbeat.get(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(
          agentId + ": no SERVER_HEARTBEAT within 10 s; frames seen: " + seen, e);
    }
  }

  /** AGENT_DISCONNECT, then a close frame 1000. */
  synchronized CompletableFuture<?> closeCleanly() {
    send(Frames.disconnect(agentId));
    sending =
        sending
            .handle((x, e) -> null)
            .thenCompose(x -> ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye"));
    return sending;
  }

  void abort() {
    if (ws != null) {
      ws.abort();
    }
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      String text = partial.toString();
      partial.setLength(0);
      if (quietAfterHello) {
        seen.add(Frames.type(text));
      }
      switch (Frames.type(text)) {
        case "ACK" -> acked.complete(this);
        case "PING" -> {
          if (!silent) {
            send(Frames.pong(Frames.pingTimestamp(text)));
          }
        }
        case "SERVER_HEARTBEAT" -> {
          if (quietAfterHello) {
            silent = true;
          }
          serverHeartbeat.complete(null);
        }
        case "ERROR" ->
            acked.completeExceptionally(new IllegalStateException(agentId + " refused: " + text));
        default -> {}
      }
    }
    if (!silent) {
      webSocket.request(1);
    }
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    acked.completeExceptionally(
        new IllegalStateException(agentId + " closed " + statusCode + " " + reason));
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    acked.completeExceptionally(error);
  }
}
