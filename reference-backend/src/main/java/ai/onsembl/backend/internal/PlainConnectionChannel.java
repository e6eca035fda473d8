package ai.onsembl.backend.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.WrappedByteChannel;

/**
 * A plain (not TLS) connection's channel as Java-WebSocket's selector reads and writes it: the end
 * of the stream is handed to another thread instead of being handled inside the selector's round,
 * and a write takes the frames queued behind the one being written along (see {@link
 * #write(ByteBuffer)}).
 *
 * <p>Java-WebSocket 1.6 closes a connection whose read returns -1 at once, on the selector thread
 * (its key is cancelled), and then asks the same key {@code isWritable()}: the {@link
 * CancelledKeyException} that throws ends the selector's round. The rest of that round's ready
 * sockets wait for the next {@code select()}, so every peer that went away costs a whole round over
 * up to 1,024 ready keys. When the process holding 10,000 agents' sockets is SIGKILLed, its kernel
 * sends 10,000 FINs within 0.2 s and the backend's selector took 7–14 s to reach the last close.
 * (The same happens for a read that fails, "Connection reset", which the library handles by leaving
 * the round too.)
 *
 * <p>Here a read that finds the end of the stream (or a reset) reports 0 bytes, stops reading that
 * key, and gives the connection to {@code closer}, which calls {@link WebSocketImpl#eot()}: the
 * same close (1006, or the code of a close handshake already under way) the library would have
 * made, from another thread, as it already does for close handshakes finished on its decoder
 * threads. The selector's round goes on with the next ready socket.
 */
final class PlainConnectionChannel implements WrappedByteChannel {
  private final SocketChannel channel;
  private final SelectionKey key;
  private final WebSocketImpl connection;
  private final Executor closer;
  private final SelectedKeysSweep sweep;

  /** Only the selector thread reads. */
  private boolean ended;

  PlainConnectionChannel(
      SocketChannel channel,
      SelectionKey key,
      WebSocketImpl connection,
      Executor closer,
      SelectedKeysSweep sweep) {
    this.channel = channel;
    this.key = key;
    this.connection = connection;
    this.closer = closer;
    this.sweep = sweep;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    if (!ended) {
      int n;
      try {
        n = channel.read(dst);
      } catch (ClosedChannelException e) {
        throw e;
      } catch (IOException e) {
        // ECONNRESET, ETIMEDOUT, EHOSTUNREACH: the connection is gone, as after an end of stream.
        n = -1;
      }
      if (n > 0) {
        sweep.readData();
      }
      if (n >= 0) {
        return n;
      }
      ended = true;
      try {
        closer.execute(connection::eot);
      } catch (RejectedExecutionException serverStopping) {
        // The server is stopping and its closer with it: the library closes it itself.
        return -1;
      }
    }
    // Until the closer has closed it, the socket stays readable: stop asking (the library turns
    // reading back on after a write, which brings us here again).
    stopReading();
    return 0;
  }

  private void stopReading() {
    try {
      if (key.isValid()) {
        key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
      }
    } catch (CancelledKeyException closedMeanwhile) {
      // the closer got there first
    }
  }

  /** At most this many queued frames go out in one gathering write. */
  private static final int GATHER_MAX = 64;

  /**
   * Writes {@code src}, the head of the connection's queue, together with the frames queued behind
   * it in one gathering write: Java-WebSocket writes its queue one frame per call, and the frames
   * this writes ahead are found empty when their turn comes (a call with nothing left costs no
   * system call). Returns the bytes of {@code src} written. A connect storm of 10,000 agents writes
   * six frames per connect (ACK and SERVER_HEARTBEAT to the agent, two status frames to each of two
   * dashboards) with the backend's one core busy at 93-98 %: 8.1-14.8 s before, 7.8-9.4 s after.
   */
  @Override
  public int write(ByteBuffer src) throws IOException {
    int before = src.remaining();
    if (before == 0) {
      return 0;
    }
    ByteBuffer[] batch = gather(src);
    if (batch == null) {
      channel.write(src);
    } else {
      channel.write(batch);
    }
    return before - src.remaining();
  }

  private ByteBuffer[] gather(ByteBuffer src) {
    java.util.Iterator<ByteBuffer> it = connection.outQueue.iterator();
    if (!it.hasNext() || it.next() != src || !it.hasNext()) {
      return null;
    }
    java.util.List<ByteBuffer> list = new java.util.ArrayList<>();
    list.add(src);
    while (it.hasNext() && list.size() < GATHER_MAX) {
      list.add(it.next());
    }
    return list.toArray(new ByteBuffer[0]);
  }

  /** Asked by the library after a read that brought data: see {@link SelectedKeysSweep}. */
  @Override
  public boolean isNeedRead() {
    return sweep.schedule();
  }

  /**
   * Called by the library after all of the round's keys, on the selector thread: reads nothing and
   * empties the selected-key set (see {@link SelectedKeysSweep}).
   */
  @Override
  public int readMore(ByteBuffer dst) {
    sweep.sweep(key);
    return 0;
  }

  @Override
  public boolean isNeedWrite() {
    return false;
  }

  @Override
  public void writeMore() {
    // nothing is ever held back
  }

  @Override
  public boolean isBlocking() {
    return false;
  }

  @Override
  public boolean isOpen() {
    return channel.isOpen();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
