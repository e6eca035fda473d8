package ai.onsembl.e2e.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback between a wrapper and a backend, with three faults: {@link #blackhole()}
 * (forward nothing, close nothing: bytes stay where they are, as in a network partition), {@link
 * #delay} (every chunk waits before it is forwarded) and {@link #cut()} (close every connection
 * now). {@link #heal()} forwards again. One pump thread per direction per connection; {@link
 * #close()} ends them all.
 */
final class TcpProxy implements AutoCloseable {
  private final ServerSocket server;
  private final InetSocketAddress target;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile java.util.function.LongConsumer onAccept = t -> {};
  private final Object modeLock = new Object();
  private boolean blackholed;
  private long delayNanos;
  private volatile boolean closed;

  TcpProxy(int targetPort) {
    try {
      this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
    start(this::acceptLoop, "proxy-accept");
  }

  int port() {
    return server.getLocalPort();
  }

  /** Connections accepted so far (each wrapper connect attempt that reached the proxy is one). */
  int accepted() {
    return accepted.get();
  }

  /**
   * Called with {@link System#nanoTime()} of every accepted connection, on the accepting thread.
   */
  void onAccept(java.util.function.LongConsumer listener) {
    this.onAccept = listener;
  }

  void blackhole() {
    synchronized (modeLock) {
      blackholed = true;
    }
  }

  void delay(Duration d) {
    synchronized (modeLock) {
      delayNanos = d.toNanos();
    }
  }

  void heal() {
    synchronized (modeLock) {
      blackholed = false;
      delayNanos = 0;
      modeLock.notifyAll();
    }
  }

  /**
   * Closes every open connection at once (both sides see the TCP connection end); new ones are
   * accepted.
   */
  void cut() {
    for (Socket s : sockets) {
      closeQuietly(s);
    }
    sockets.clear();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      accepted.incrementAndGet();
      onAccept.accept(System.nanoTime());
      Socket upstream = new Socket();
      try {
        upstream.connect(target, 5000);
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
      } catch (IOException e) {
        closeQuietly(client);
        closeQuietly(upstream);
        continue;
      }
      sockets.add(client);
      sockets.add(upstream);
      start(() -> pump(client, upstream), "proxy-up");
      start(() -> pump(upstream, client), "proxy-down");
    }
  }

  private void pump(Socket from, Socket to) {
    byte[] buf = new byte[16 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      while (true) {
        awaitForwarding();
        int n = in.read(buf);
        if (n < 0) {
          break;
        }
        // A chunk read just before a blackhole began is held, not forwarded: nothing crosses a
        // partition.
        long delay = awaitForwarding();
        if (delay > 0) {
          TimeUnit.NANOSECONDS.sleep(delay); // the fault itself: this chunk is late by design
        }
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      // one side went away (or we were closed): end both
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      sockets.remove(from);
      sockets.remove(to);
    }
  }

  /** Blocks while blackholed; returns the delay to apply. */
  private long awaitForwarding() throws InterruptedException {
    synchronized (modeLock) {
      while (blackholed && !closed) {
        modeLock.wait(100);
      }
      if (closed) {
        throw new InterruptedException("proxy closed");
      }
      return delayNanos;
    }
  }

  private void start(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() {
    closed = true;
    synchronized (modeLock) {
      modeLock.notifyAll();
    }
    try {
      server.close();
    } catch (IOException e) {
      // already closed
    }
    cut();
    for (Thread t : threads) {
      try {
        t.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
