package ai.onsembl.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A peer that goes away (FIN, or RST when it dies with unread data) is read as "0 bytes" by the
 * selector, which stops reading that key, and its close is handed to the closer exactly once; the
 * frames queued behind the one being written go out in the same gathering write; the selected-key
 * set is emptied after a round with data.
 */
@Timeout(30)
class PlainConnectionChannelTest {
  private ServerSocketChannel server;
  private Selector selector;
  private Socket peer;
  private SocketChannel channel;
  private SelectionKey key;
  private final List<Runnable> handedOver = new ArrayList<>();
  private PlainConnectionChannel handoff;
  private WebSocketImpl connection;
  private final SelectedKeysSweep sweep = new SelectedKeysSweep();

  @BeforeEach
  void connect() throws Exception {
    server = ServerSocketChannel.open();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    peer = new Socket(InetAddress.getLoopbackAddress(), server.socket().getLocalPort());
    channel = server.accept();
    channel.configureBlocking(false);
    selector = Selector.open();
    key = channel.register(selector, SelectionKey.OP_READ);
    connection = connection();
    handoff = new PlainConnectionChannel(channel, key, connection, handedOver::add, sweep);
  }

  @AfterEach
  void close() throws Exception {
    selector.close();
    channel.close();
    peer.close();
    server.close();
  }

  /** A connection as Java-WebSocket's server makes it; never started, nothing is bound. */
  private static WebSocketImpl connection() {
    WebSocketServer listener =
        new WebSocketServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)) {
          @Override
          public void onOpen(WebSocket conn, ClientHandshake handshake) {}

          @Override
          public void onClose(WebSocket conn, int code, String reason, boolean remote) {}

          @Override
          public void onMessage(WebSocket conn, String message) {}

          @Override
          public void onError(WebSocket conn, Exception ex) {}

          @Override
          public void onStart() {}
        };
    return new WebSocketImpl(listener, List.of(new Draft_6455()));
  }

  private void awaitReadable() throws Exception {
    assertThat(selector.select(10_000)).as("the socket became readable").isPositive();
    selector.selectedKeys().clear();
  }

  @Test
  void dataThenEndOfStreamIsHandedOverOnceAndTheKeyStopsReading() throws Exception {
    peer.getOutputStream().write("last words".getBytes(StandardCharsets.UTF_8));
    peer.shutdownOutput(); // FIN after the data
    awaitReadable();
    ByteBuffer buf = ByteBuffer.allocate(64);

    int total = 0;
    int n;
    while ((n = handoff.read(buf)) > 0) {
      total += n;
    }
    assertThat(total).as("the data before the FIN is read first").isEqualTo(10);
    assertThat(n).as("end of stream reads as 0 bytes, not -1").isZero();
    assertThat(handedOver).as("close handed to the closer").hasSize(1);
    assertThat(key.interestOps() & SelectionKey.OP_READ).as("OP_READ dropped").isZero();

    // The library turns reading back on after a write; a second read must not hand over again.
    key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
    assertThat(handoff.read(buf)).isZero();
    assertThat(handedOver).hasSize(1);
    assertThat(key.interestOps()).isEqualTo(SelectionKey.OP_WRITE);
  }

  @Test
  void whenTheCloserIsStoppedTheEndOfStreamIsLeftToTheLibrary() throws Exception {
    handoff =
        new PlainConnectionChannel(
            channel,
            key,
            connection,
            r -> {
              throw new java.util.concurrent.RejectedExecutionException("stopped");
            },
            sweep);
    peer.shutdownOutput();
    awaitReadable();
    assertThat(handoff.read(ByteBuffer.allocate(64))).as("-1: the library closes it").isEqualTo(-1);
  }

  @Test
  void aResetPeerIsAnEndOfStreamNotAnException() throws Exception {
    peer.setSoLinger(true, 0);
    peer.close(); // RST, as from a process that died with unread data
    awaitReadable();

    assertThat(handoff.read(ByteBuffer.allocate(64))).isZero();
    assertThat(handedOver).hasSize(1);
    assertThat(key.interestOps() & SelectionKey.OP_READ).isZero();
  }

  @Test
  void theHeadOfTheQueueIsWrittenTogetherWithTheFramesQueuedBehindIt() throws Exception {
    ByteBuffer first = ByteBuffer.wrap("one,".getBytes(StandardCharsets.UTF_8));
    ByteBuffer second = ByteBuffer.wrap("two,".getBytes(StandardCharsets.UTF_8));
    ByteBuffer third = ByteBuffer.wrap("three".getBytes(StandardCharsets.UTF_8));
    connection.outQueue.put(first);
    connection.outQueue.put(second);
    connection.outQueue.put(third);

    // As Java-WebSocket's batch(): write the head, and when it is empty poll it and write the next.
    assertThat(handoff.write(first)).as("bytes of the head written").isEqualTo(4);
    assertThat(second.hasRemaining()).as("written ahead in the same call").isFalse();
    assertThat(third.hasRemaining()).isFalse();
    connection.outQueue.poll();
    assertThat(handoff.write(second)).as("nothing left to write").isZero();
    connection.outQueue.poll();
    assertThat(handoff.write(third)).isZero();
    connection.outQueue.poll();

    byte[] got = new byte[13];
    peer.setSoTimeout(10_000);
    int off = 0;
    while (off < got.length) {
      int n = peer.getInputStream().read(got, off, got.length - off);
      assertThat(n).as("peer read").isPositive();
      off += n;
    }
    assertThat(new String(got, StandardCharsets.UTF_8)).isEqualTo("one,two,three");
  }

  @Test
  void aBufferThatIsNotTheHeadOfTheQueueIsWrittenAlone() throws Exception {
    ByteBuffer queued = ByteBuffer.wrap("queued".getBytes(StandardCharsets.UTF_8));
    connection.outQueue.put(queued);
    ByteBuffer other = ByteBuffer.wrap("other".getBytes(StandardCharsets.UTF_8));

    assertThat(handoff.write(other)).isEqualTo(5);
    assertThat(queued.remaining()).as("left for its own turn").isEqualTo(6);
  }

  /**
   * The library's round, as Java-WebSocket 1.6 runs it: reads of the selected keys (each that
   * brought data asks isNeedRead), then readMore on the channels that said yes, which asks
   * isNeedRead again.
   */
  @Test
  void oneChannelPerRoundWithDataSweepsTheSelectedKeysAfterTheRound() throws Exception {
    PlainConnectionChannel other =
        new PlainConnectionChannel(channel, key, connection, handedOver::add, sweep);
    key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
    peer.getOutputStream().write(new byte[] {1, 2, 3});
    assertThat(selector.select(10_000)).isPositive();
    assertThat(selector.selectedKeys()).containsExactly(key);

    assertThat(handoff.read(ByteBuffer.allocate(64))).isEqualTo(3);
    assertThat(handoff.isNeedRead()).as("the round's sweeper").isTrue();
    assertThat(other.isNeedRead()).as("one sweeper per round").isFalse();
    assertThat(handoff.readMore(ByteBuffer.allocate(64))).as("reads nothing").isZero();
    assertThat(selector.selectedKeys()).as("swept after the round").isEmpty();
    assertThat(handoff.isNeedRead()).as("the library's question after readMore").isFalse();
    assertThat(sweep.sweeps()).isEqualTo(1);

    // The next round with data schedules a sweep again.
    peer.getOutputStream().write(new byte[] {4});
    assertThat(selector.select(10_000)).isPositive();
    assertThat(other.read(ByteBuffer.allocate(64))).isEqualTo(1);
    assertThat(other.isNeedRead()).isTrue();
    other.readMore(ByteBuffer.allocate(64));
    assertThat(selector.selectedKeys()).isEmpty();
    assertThat(sweep.sweeps()).isEqualTo(2);
  }

  @Test
  void aLiveSocketReadsNormally() throws Exception {
    peer.getOutputStream().write(new byte[] {1, 2, 3});
    awaitReadable();
    assertThat(handoff.read(ByteBuffer.allocate(64))).isEqualTo(3);
    assertThat(handoff.read(ByteBuffer.allocate(64))).as("nothing more yet").isZero();
    assertThat(handedOver).isEmpty();
    assertThat(key.interestOps() & SelectionKey.OP_READ).isEqualTo(SelectionKey.OP_READ);
  }
}
