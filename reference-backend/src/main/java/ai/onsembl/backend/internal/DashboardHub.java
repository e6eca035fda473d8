package ai.onsembl.backend.internal;

import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.ProtocolCodec;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.java_websocket.WebSocketImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fan-out to dashboards. Each frame is encoded once. A dashboard's queue is its socket's outbound queue,
 * bounded here: a dashboard with more than {@code queueLimit} unsent frames is dropped, so a slow or dead
 * dashboard never slows agents or other dashboards (sending itself never blocks).
 */
public final class DashboardHub {
  private static final Logger LOG = LoggerFactory.getLogger(DashboardHub.class);

  private final Set<Peer> dashboards = ConcurrentHashMap.newKeySet();
  private final int queueLimit;

  DashboardHub(int queueLimit) {
    this.queueLimit = queueLimit;
  }

  void add(Peer p) {
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
    String text = ProtocolCodec.standard().encode(m);
    for (Peer p : dashboards) {
      offer(p, text);
    }
  }

  void offer(Peer p, String text) {
    if (p.closed) {
      dashboards.remove(p);
      return;
    }
    if (p.socket instanceof WebSocketImpl impl && impl.outQueue.size() >= queueLimit) {
      dashboards.remove(p);
      LOG.warn("Dropping {}: {} frames unsent (limit {})", p.describe(), impl.outQueue.size(), queueLimit);
      p.closing = true;
      // Not close(): a close frame would wait behind the backlog this dashboard does not read.
      impl.closeConnection(1008, "Dashboard too slow");
      return;
    }
    p.sendText(text);
  }
}
