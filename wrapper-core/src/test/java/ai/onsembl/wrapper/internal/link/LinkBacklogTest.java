package ai.onsembl.wrapper.internal.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A backend that completes the upgrade and then never reads: the wrapper's send backlog is bounded
 * in bytes and a full backlog drops the connection (the link then reconnects) instead of filling
 * the heap.
 */
@Timeout(60)
class LinkBacklogTest {

  /** Accepts one WebSocket upgrade, answers it, then holds the socket without reading a byte. */
  private static Socket acceptAndNeverRead(ServerSocket server) throws Exception {
    Socket s = server.accept();
    InputStream in = s.getInputStream();
    StringBuilder request = new StringBuilder();
    while (!request.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new AssertionError("client closed during the upgrade: " + request);
      }
      request.append((char) c);
    }
    Matcher key = Pattern.compile("(?i)Sec-WebSocket-Key: *(\\S+)").matcher(request);
    assertThat(key.find()).as("upgrade request with a key: " + request).isTrue();
    byte[] sha1 =
        MessageDigest.getInstance("SHA-1")
            .digest(
                (key.group(1) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                    .getBytes(StandardCharsets.US_ASCII));
    OutputStream out = s.getOutputStream();
    out.write(
        ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: "
                + Base64.getEncoder().encodeToString(sha1)
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return s;
  }

  @Test
  void aBacklogTheBackendNeverReadsIsBoundedAndDropsTheConnection() throws Exception {
    try (ServerSocket server = new ServerSocket()) {
      server.setReceiveBufferSize(4096);
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      CompletableFuture<Socket> accepted =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return acceptAndNeverRead(server);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      CountDownLatch opened = new CountDownLatch(1);
      CompletableFuture<String> closed = new CompletableFuture<>();
      long limit = 256 * 1024;
      LinkSocket socket =
          new LinkSocket(
              URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/ws/agent"),
              Map.of(),
              5000,
              new LinkSocket.Events() {
                @Override
                public void opened(LinkSocket s) {
                  opened.countDown();
                }

                @Override
                public void text(LinkSocket s, String text) {}

                @Override
                public void received(LinkSocket s) {}

                @Override
                public void closed(LinkSocket s, int code, String reason, boolean remote) {
                  closed.complete(code + " " + reason);
                }
              },
              limit);
      socket.connect();
      try (Socket held = accepted.get(10, TimeUnit.SECONDS)) {
        assertThat(opened.await(10, TimeUnit.SECONDS)).isTrue();
        String pong =
            "{\"type\":\"PONG\",\"id\":\"p\",\"timestamp\":1,\"payload\":{\"pad\":\""
                + "x".repeat(900)
                + "\"}}";
        long sent = 0;
        // Far more than kernel buffers and the limit together; without a bound all of it would stay
        // queued.
        while (!closed.isDone() && sent < 256L << 20) {
          try {
            socket.send(pong);
          } catch (RuntimeException e) {
            break; // not connected any more: the close callback follows
          }
          sent += pong.length();
        }
        String close = closed.get(10, TimeUnit.SECONDS);
        assertThat(close).startsWith("1006").contains("unread").contains("limit " + limit);
        assertThat(sent).as("bytes sent before the link was dropped").isLessThan(64L << 20);
      } finally {
        socket.abort("test over");
      }
    }
  }
}
