package ai.onsembl.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.testing.ProtocolClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Clients that connect and never finish (or never stop) their request, against both ports: none of
 * them takes a port away from everyone else (issue: hostile clients, items 1 and 2).
 */
@Timeout(120)
class HostilePortsTest {
  private ReferenceBackend backend;
  private final List<Socket> sockets = new ArrayList<>();

  @BeforeEach
  void start() {
    backend = ReferenceBackend.start(BackendConfig.forTests());
  }

  @AfterEach
  void stop() {
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException e) {
        // already closed by the server
      }
    }
    backend.close();
  }

  private Socket open(int port, String localAddress) throws IOException {
    Socket s = new Socket();
    sockets.add(s);
    s.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    return s;
  }

  /** Whether the server closed {@code s} within {@code wait} (EOF or reset). */
  private static boolean closedWithin(Socket s, Duration wait) throws IOException {
    s.setSoTimeout((int) wait.toMillis());
    InputStream in = s.getInputStream();
    long deadline = System.nanoTime() + wait.toNanos();
    try {
      while (System.nanoTime() < deadline) {
        if (in.read() < 0) {
          return true;
        }
      }
      return false;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // connection reset
    }
  }

  @Test
  void aConnectionThatNeverUpgradesIsClosedAfterTheHandshakeDeadline() throws Exception {
    Socket idle = open(backend.wsPort(), "127.0.0.1");
    Socket partial = open(backend.wsPort(), "127.0.0.1");
    partial
        .getOutputStream()
        .write("GET /ws/agent HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
    long t0 = System.nanoTime();
    assertThat(closedWithin(idle, Duration.ofSeconds(15)))
        .as("idle socket closed by the server")
        .isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThan(Duration.ofSeconds(8));
    assertThat(closedWithin(partial, Duration.ofSeconds(3)))
        .as("half-sent upgrade closed by the server")
        .isTrue();
  }

  @Test
  void anUpgradeRequestLargerThan16KibIsRefusedBeforeTheDeadline() throws Exception {
    Socket s = open(backend.wsPort(), "127.0.0.1");
    OutputStream out = s.getOutputStream();
    AtomicBoolean refused = new AtomicBoolean();
    try {
      out.write("GET /ws/agent HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] header = ("X-Pad: " + "a".repeat(1000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
      for (int i = 0; i < 64; i++) { // 64 KiB of headers, never the blank line
        out.write(header);
        out.flush();
      }
    } catch (IOException e) {
      refused.set(true); // the server closed it while we were still writing
    }
    assertThat(refused.get() || closedWithin(s, Duration.ofSeconds(5)))
        .as("closed well before the 10 s handshake deadline")
        .isTrue();
  }

  @Test
  void unauthenticatedConnectionsAreCappedPerAddressAndOthersStillConnect() throws Exception {
    int port = backend.wsPort();
    for (int i = 0; i < 512; i++) {
      open(port, "127.0.0.1");
    }
    Socket over = open(port, "127.0.0.1");
    assertThat(closedWithin(over, Duration.ofSeconds(5)))
        .as("the 513th idle socket from one address")
        .isTrue();
    Socket other = open(port, "127.0.0.2");
    assertThat(closedWithin(other, Duration.ofSeconds(2)))
        .as("an idle socket from another address")
        .isFalse();
    // An agent on another address connects and authenticates while one address holds its whole
    // share.
    ProtocolClient agent =
        new ProtocolClient(
            URI.create(backend.wsUrl() + "/ws/agent"),
            java.util.Map.of("Authorization", "Bearer " + backend.config().agentToken()));
    agent.setSocketFactory(
        new javax.net.SocketFactory() {
          @Override
          public Socket createSocket() throws IOException {
            Socket s = new Socket();
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
            return s;
          }

          @Override
          public Socket createSocket(String host, int port) {
            throw new UnsupportedOperationException();
          }

          @Override
          public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
            throw new UnsupportedOperationException();
          }

          @Override
          public Socket createSocket(InetAddress host, int port) {
            throw new UnsupportedOperationException();
          }

          @Override
          public Socket createSocket(
              InetAddress address, int port, InetAddress localAddress, int localPort) {
            throw new UnsupportedOperationException();
          }
        });
    try {
      agent.connectOrFail();
      agent.send(ProtocolClient.agentConnect("hostile-ok"));
      agent.expect(ai.onsembl.protocol.MessageType.ACK, Duration.ofSeconds(5));
    } finally {
      agent.closeBounded(Duration.ofSeconds(2));
    }
  }

  @Test
  void healthzAnswersWithinOneSecondWhileFiftySlowlorisSocketsAreHeld() throws Exception {
    byte[] unfinished = "GET /healthz HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII);
    List<Socket> slow = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      Socket s = open(backend.httpPort(), "127.0.0.1");
      s.getOutputStream().write(unfinished);
      s.getOutputStream().flush();
      slow.add(s);
    }
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(backend.httpUrl() + "/healthz"))
            .timeout(Duration.ofSeconds(1))
            .build();
    // Let the server's threads take the slow requests first.
    await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> true);
    long t0 = System.nanoTime();
    HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"webSocket\":\"up\"", "\"http\":\"up\"", "\"store\":\"up\"");
    // And the request-read deadline ends the slow requests instead of letting them hold a thread
    // forever.
    assertThat(closedWithin(slow.get(0), Duration.ofSeconds(20)))
        .as("a slowloris socket is closed")
        .isTrue();
  }

  @Test
  void healthzReportsAListenerThatJavaWebSocketClosed() throws Exception {
    AtomicBoolean lost = new AtomicBoolean();
    backend.onListenerLost(() -> lost.set(true));
    assertThat(Http.get(backend.httpUrl(), "/healthz", null).status()).isEqualTo(200);
    // What Java-WebSocket does when accept() fails: close its listening channel (fault injection).
    java.lang.reflect.Field f =
        org.java_websocket.server.WebSocketServer.class.getDeclaredField("server");
    f.setAccessible(true);
    ((java.nio.channels.ServerSocketChannel) f.get(wsServer())).close();
    await().atMost(Duration.ofSeconds(5)).untilTrue(lost);
    Http.Reply health = Http.get(backend.httpUrl(), "/healthz", null);
    assertThat(health.status()).isEqualTo(503);
    assertThat(health.json().get("status").asText()).isEqualTo("down");
    assertThat(health.json().get("webSocket").asText()).startsWith("down");
    assertThat(health.json().get("store").asText()).isEqualTo("up");
  }

  private Object wsServer() throws ReflectiveOperationException {
    Object core = ai.onsembl.backend.internal.BackendAccess.bridge().core(backend);
    java.lang.reflect.Field ws = core.getClass().getDeclaredField("ws");
    ws.setAccessible(true);
    return ws.get(core);
  }
}
