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

  /** An unmasked server-to-client text frame. */
  private static void writeText(OutputStream out, String text) throws java.io.IOException {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    java.io.ByteArrayOutputStream frame = new java.io.ByteArrayOutputStream();
    frame.write(0x81);
    if (payload.length < 126) {
      frame.write(payload.length);
    } else {
      frame.write(126);
      frame.write(payload.length >>> 8);
      frame.write(payload.length & 0xff);
    }
    frame.write(payload);
    out.write(frame.toByteArray());
    out.flush();
  }

  @Test
  void aBackendThatTalksButNeverReadsIsDroppedAndReleasesTheOutputReaders() throws Exception {
    // Its frames keep the link's silence check quiet; the stall check (the same oldest unsent frame
    // for two intervals) must drop it, and the thread held back by awaitRoom must be let go.
    try (ServerSocket server = new ServerSocket()) {
      server.setReceiveBufferSize(4096);
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      java.util.List<Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
      java.util.concurrent.atomic.AtomicBoolean over =
          new java.util.concurrent.atomic.AtomicBoolean();
      Thread talker =
          new Thread(
              () -> {
                try {
                  Socket s = acceptAndNeverRead(server);
                  held.add(s);
                  OutputStream out = s.getOutputStream();
                  writeText(
                      out,
                      "{\"type\":\"ACK\",\"id\":\"a-1\",\"timestamp\":1,"
                          + "\"payload\":{\"success\":true,\"agentId\":\"agent-1\"}}");
                  for (int i = 0; !over.get(); i++) {
                    writeText(
                        out,
                        "{\"type\":\"PING\",\"id\":\"p-"
                            + i
                            + "\",\"timestamp\":1,\"payload\":{\"timestamp\":1}}");
                    java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
                  }
                } catch (Exception e) {
                  // the link dropped the connection, or the test is over
                }
              },
              "never-reading-backend");
      talker.setDaemon(true);
      talker.start();
      java.util.List<String> reconnects = new java.util.concurrent.CopyOnWriteArrayList<>();
      LinkSettings settings =
          new LinkSettings(
              URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/ws/agent"),
              "agent-1",
              null,
              java.time.Duration.ofMillis(300),
              java.time.Duration.ofSeconds(5),
              java.time.Duration.ofSeconds(5),
              java.time.Duration.ofSeconds(10),
              java.time.Duration.ofSeconds(5),
              null,
              1000,
              8L << 20);
      BackendLink link =
          new BackendLink(
              settings,
              new LinkListener() {
                @Override
                public void online(String agentId, boolean firstTime) {}

                @Override
                public void reconnecting(String why) {
                  reconnects.add(why);
                }

                @Override
                public void fatal(ai.onsembl.wrapper.AgentExitException why) {}

                @Override
                public void control(ai.onsembl.protocol.AgentControl control) {}
              },
              id ->
                  new ai.onsembl.protocol.AgentConnect(
                      id,
                      "test",
                      ai.onsembl.protocol.EnumValue.of(ai.onsembl.protocol.AgentType.CUSTOM),
                      "1.0",
                      "host",
                      ai.onsembl.protocol.Capabilities.of(0, true, false)),
              () -> new ai.onsembl.protocol.HealthMetrics(1.5, 12.0, 100L, 0L, 0.0),
              new java.util.Random(1));
      try {
        link.start();
        org.awaitility.Awaitility.await()
            .atMost(java.time.Duration.ofSeconds(10))
            .until(link::isOnline);
        // An output reader: 64 KiB chunks, waiting for room before each, as the child's pumps do.
        String chunk = "x".repeat(64 * 1024);
        CompletableFuture<Long> reader =
            CompletableFuture.supplyAsync(
                () -> {
                  long seq = 0;
                  while (reconnects.isEmpty() && seq < 100_000) {
                    link.awaitRoom();
                    link.send(
                        new ai.onsembl.protocol.TerminalOutput(
                            "agent-1",
                            "agent-1",
                            ai.onsembl.protocol.EnumValue.of(ai.onsembl.protocol.StreamType.STDOUT),
                            chunk,
                            ++seq,
                            null));
                  }
                  return seq;
                });
        long chunks = reader.get(30, TimeUnit.SECONDS);
        assertThat(reconnects)
            .as("why the link reconnected")
            .singleElement()
            .asString()
            .contains("read nothing");
        // Held back, not dropped: far fewer chunks than the cap went in before the stall was seen.
        assertThat(chunks).isLessThan(1_000);
      } finally {
        over.set(true);
        link.shutdown();
        for (Socket s : held) {
          s.close();
        }
        talker.join(5000);
      }
    }
  }
}
