package ai.onsembl.backend.internal;

import ai.onsembl.protocol.AgentStatusUpdate;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.protocol.ProtocolCodec;
import ai.onsembl.protocol.StreamingCodec;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.java_websocket.WebSocketImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fan-out to dashboards. Each frame is encoded once and offered to every dashboard's {@link
 * DashboardOutbox}, which is bounded in bytes; frames move on to the socket only while the socket
 * holds less than {@link #SOCKET_WINDOW_BYTES} of them. A dashboard that falls behind has its
 * status frames coalesced (latest per agent), then gets a fresh snapshot (DASHBOARD_CONNECTED)
 * instead of the backlog; only one whose socket sends nothing of what it holds for {@code
 * stallNanos} (it reads nothing at all) is dropped (1008). Sending never blocks the worker, so a
 * slow or dead dashboard never slows agents or other dashboards.
 */
public final class DashboardHub {
  private static final Logger LOG = LoggerFactory.getLogger(DashboardHub.class);

  /** How much of ours a dashboard's socket may hold (Java-WebSocket's own queue is unbounded). */
  static final long SOCKET_WINDOW_BYTES = 256 * 1024;

  private static final long DRAIN_EVERY_MILLIS = 10;

  private final Set<Peer> dashboards = ConcurrentHashMap.newKeySet();
  private final long limitBytes;
  private final long stallNanos;
  private volatile Executor worker = Runnable::run;
  private volatile Supplier<Message> snapshot;
  private volatile BackendMetrics metrics;

  /**
   * @param limitBytes frames a dashboard may have waiting before they are coalesced or replaced by
   *     a snapshot
   * @param stallNanos how long a dashboard may read nothing of what waits for it before it is
   *     dropped
   */
  DashboardHub(long limitBytes, long stallNanos) {
    this.limitBytes = limitBytes;
    this.stallNanos = stallNanos;
  }

  /**
   * Starts the drain timer; snapshots are built on {@code worker}, which also makes every
   * broadcast.
   */
  void start(
      Executor worker,
      ScheduledExecutorService timer,
      Supplier<Message> snapshot,
      BackendMetrics metrics) {
    this.worker = worker;
    this.snapshot = snapshot;
    this.metrics = metrics;
    timer.scheduleWithFixedDelay(
        this::drainAll, DRAIN_EVERY_MILLIS, DRAIN_EVERY_MILLIS, TimeUnit.MILLISECONDS);
  }

  void add(Peer p) {
    p.outbox = new DashboardOutbox(limitBytes);
    dashboards.add(p);
  }

  void remove(Peer p) {
    dashboards.remove(p);
  }

  int size() {
    return dashboards.size();
  }

  void broadcast(Message m) {
    if (dashboards.isEmpty()) {
      return;
    }
    // the streaming codec writes the same text as the full one (StreamingCodecTest), without
    // databind's serializer lookups per frame
    String text = StreamingCodec.standard().encode(m);
    String key = coalesceKey(m);
    for (Peer p : dashboards) {
      offer(p, text, key);
    }
  }

  /**
   * Status frames of one agent replace each other in a backlog; everything else is kept in order.
   */
  private static String coalesceKey(Message m) {
    if (m.type() == MessageType.AGENT_STATUS) {
      AgentStatusUpdate s = m.payload(AgentStatusUpdate.class);
      return s.agentId() == null ? null : "status:" + s.agentId();
    }
    return null;
  }

  void offer(Peer p, String text, String key) {
    DashboardOutbox box = p.outbox;
    if (p.closed || box == null) {
      dashboards.remove(p);
      return;
    }
    DashboardOutbox.Offered result = box.offer(text, key);
    if (result == DashboardOutbox.Offered.RESYNC) {
      LOG.info(
          "{} is more than {} bytes behind: its backlog is replaced by a fresh snapshot",
          p.describe(),
          limitBytes);
      BackendMetrics m = metrics;
      if (m != null) {
        m.dashboardResync();
      }
    } else if (result == DashboardOutbox.Offered.COALESCED && metrics != null) {
      metrics.dashboardCoalesced();
    }
    drain(p);
  }

  /**
   * Hands queued frames to the socket up to the window; under the outbox's lock so frames keep
   * their order.
   */
  private static void drain(Peer p) {
    DashboardOutbox box = p.outbox;
    if (!(p.socket instanceof WebSocketImpl impl) || box == null) {
      return;
    }
    synchronized (box) {
      String text;
      while ((text = box.poll(impl.outQueue.size(), SOCKET_WINDOW_BYTES)) != null) {
        p.sendText(text);
      }
    }
  }

  /**
   * On the timer: moves backlogs on, sends due snapshots (built on the worker), drops stalled
   * dashboards.
   */
  void drainAll() {
    for (Peer p : dashboards) {
      DashboardOutbox box = p.outbox;
      if (p.closed || box == null) {
        dashboards.remove(p);
        continue;
      }
      if (!(p.socket instanceof WebSocketImpl impl)) {
        continue;
      }
      if (box.claimSnapshot(impl.outQueue.size(), SOCKET_WINDOW_BYTES)) {
        worker.execute(
            () -> {
              Supplier<Message> s = snapshot;
              if (s != null && !p.closed) {
                box.snapshot(ProtocolCodec.standard().encode(s.get()));
                drain(p);
              }
            });
      } else {
        drain(p);
        if (box.stalledNanos() > stallNanos || box.resyncWaitingNanos() > stallNanos) {
          drop(p, impl);
        }
      }
    }
  }

  private void drop(Peer p, WebSocketImpl impl) {
    dashboards.remove(p);
    LOG.warn("Dropping {}: it has read nothing for {} ms", p.describe(), stallNanos / 1_000_000);
    BackendMetrics m = metrics;
    if (m != null) {
      m.dashboardDropped();
    }
    p.closing = true;
    // Not close(): a close frame would wait behind the backlog this dashboard does not read.
    impl.closeConnection(1008, "Dashboard too slow");
  }
}
