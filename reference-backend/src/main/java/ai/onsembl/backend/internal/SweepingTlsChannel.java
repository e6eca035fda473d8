package ai.onsembl.backend.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import javax.net.ssl.SSLEngine;
import org.java_websocket.WrappedByteChannel;
import org.java_websocket.interfaces.ISSLChannel;

/**
 * A TLS connection's channel (Java-WebSocket's own) that also takes its turn at sweeping the
 * selected-key set after a round with data (see {@link SelectedKeysSweep}); everything else is the
 * library's TLS channel's.
 *
 * <p>The library calls {@code readMore} for a channel that said {@code isNeedRead}: for TLS, to
 * hand over decrypted data that did not fit. Both uses share the call: the sweep runs first, then
 * the TLS channel gives what it holds.
 */
final class SweepingTlsChannel implements WrappedByteChannel, ISSLChannel {
  private final WrappedByteChannel tls;
  private final SelectionKey key;
  private final SelectedKeysSweep sweep;

  /** This channel is the round's sweeper. Selector thread only. */
  private boolean sweeper;

  SweepingTlsChannel(WrappedByteChannel tls, SelectionKey key, SelectedKeysSweep sweep) {
    this.tls = tls;
    this.key = key;
    this.sweep = sweep;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    int n = tls.read(dst);
    if (n > 0) {
      sweep.readData();
    }
    return n;
  }

  @Override
  public boolean isNeedRead() {
    if (tls.isNeedRead()) {
      return true;
    }
    if (!sweeper && sweep.schedule()) {
      sweeper = true;
      return true;
    }
    return false;
  }

  @Override
  public int readMore(ByteBuffer dst) throws IOException {
    if (sweeper) {
      sweeper = false;
      sweep.sweep(key);
    }
    return tls.isNeedRead() ? tls.readMore(dst) : 0;
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    return tls.write(src);
  }

  @Override
  public boolean isNeedWrite() {
    return tls.isNeedWrite();
  }

  @Override
  public void writeMore() throws IOException {
    tls.writeMore();
  }

  @Override
  public boolean isBlocking() {
    return tls.isBlocking();
  }

  /** The TLS engine, so that the connection's {@code getSSLSession()} keeps working. */
  @Override
  public SSLEngine getSSLEngine() {
    if (tls instanceof ISSLChannel c) {
      return c.getSSLEngine();
    }
    throw new IllegalStateException("not a TLS channel: " + tls.getClass().getName());
  }

  @Override
  public boolean isOpen() {
    return tls.isOpen();
  }

  @Override
  public void close() throws IOException {
    tls.close();
  }
}
