package ai.onsembl.backend.internal;

import ai.onsembl.backend.AgentState;
import ai.onsembl.backend.BackendConfig;
import ai.onsembl.backend.internal.BackendMetrics.Reason;
import ai.onsembl.protocol.Ack;
import ai.onsembl.protocol.AgentConnect;
import ai.onsembl.protocol.AgentDisconnect;
import ai.onsembl.protocol.AgentStatus;
import ai.onsembl.protocol.CommandStatus;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.ServerHeartbeat;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Agent connect, disconnect, heartbeat timeout and startup cleanup. Every method runs on the
 * backend's worker thread, so status changes are serialized, and none runs on Java-WebSocket's
 * selector thread.
 */
final class AgentLifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(AgentLifecycle.class);
  static final String CANCELLED_ON_DISCONNECT = "Agent disconnected";
  static final String SERVER_RESTARTED = "Server restarted";
  static final String SERVER_STOPPED = "Server stopped";
  static final String HEARTBEAT_TIMEOUT = "Heartbeat timeout";
  static final String STORE_UNAVAILABLE = "Store unavailable";
  static final int STORE_UNAVAILABLE_CODE = 1013;

  private final BackendConfig config;
  private final Database db;
  private final AgentStore agents;
  private final CommandStore commands;
  private final Registry registry;
  private final DashboardHub hub;
  private final BackendMetrics metrics;
  private final HeartbeatMonitor monitor;
  private final AtomicLong epochs;
  private final AgentSender toAgent;
  private final Consumer<Peer> forceCloseLater;

  /** Sessions already ended whose OFFLINE the store could not take yet; on the worker only. */
  private final List<Ending> unsaved = new ArrayList<>();

  private volatile int unsavedCount;

  AgentLifecycle(
      BackendConfig config,
      Database db,
      AgentStore agents,
      CommandStore commands,
      Registry registry,
      DashboardHub hub,
      BackendMetrics metrics,
      HeartbeatMonitor monitor,
      AtomicLong epochs,
      AgentSender toAgent,
      Consumer<Peer> forceCloseLater) {
    this.config = config;
    this.db = db;
    this.agents = agents;
    this.commands = commands;
    this.registry = registry;
    this.hub = hub;
    this.metrics = metrics;
    this.monitor = monitor;
    this.epochs = epochs;
    this.toAgent = toAgent;
    this.forceCloseLater = forceCloseLater;
  }

  /** Startup cleanup, before the ports open. Returns the number of agents marked OFFLINE. */
  int startupCleanup() {
    long now = System.currentTimeMillis();
    int[] counts =
        db.tx(
            c -> {
              List<String> offline = agents.markAllOffline(c, SERVER_RESTARTED, now);
              List<String> cancelled = commands.cancelAllOpen(c, SERVER_RESTARTED, now);
              return new int[] {offline.size(), cancelled.size()};
            });
    metrics.staleMarked(counts[0]);
    LOG.info(
        "Startup cleanup: {} agent(s) marked OFFLINE, {} command(s) CANCELLED ({})",
        counts[0],
        counts[1],
        SERVER_RESTARTED);
    return counts[0];
  }

  void connect(Peer peer, Message msg, AgentConnect hello) {
    if (peer.closed) {
      return;
    }
    AgentSession existing = peer.session;
    if (existing != null && registry.isCurrent(existing)) {
      // A repeated AGENT_CONNECT on a live connection: answer again, change nothing.
      acknowledge(existing, msg);
      return;
    }
    if (!unsaved.isEmpty() || !db.writable()) {
      refuseWhileStoreFails(peer, msg);
      return;
    }
    long epoch = epochs.incrementAndGet();
    AgentState announced =
        new AgentState(
            peer.agentId,
            hello.name(),
            hello.agentType() == null ? null : hello.agentType().raw(),
            hello.version(),
            hello.hostMachine(),
            AgentStatus.ONLINE,
            null,
            null,
            null,
            epoch);
    AgentSession session =
        new AgentSession(peer.agentId, epoch, peer, announced, hello.capabilities());
    long now = System.currentTimeMillis();
    AgentState stored;
    try {
      // The store first: a session becomes current only once its row says ONLINE under its epoch.
      stored = db.tx(c -> agents.markOnline(c, announced, now));
    } catch (IllegalStateException e) {
      LOG.error("Agent {}: cannot write its ONLINE row: {}", peer.agentId, e.getMessage());
      refuseWhileStoreFails(peer, msg);
      return;
    }
    AgentSession previous = registry.put(session);
    peer.session = session;
    if (previous != null) {
      previous.ended.set(true);
      monitor.unwatch(previous);
      if (previous.peer != peer) {
        LOG.info(
            "Agent {}: {} replaces {} (close 4001)",
            session.agentId,
            peer.describe(),
            previous.peer.describe());
        previous.peer.close(4001, "Replaced by a newer connection");
      }
    }
    acknowledge(session, msg);
    monitor.watch(session);
    metrics.agentConnected();
    LOG.info("Agent {} ONLINE ({}, epoch {})", session.agentId, peer.describe(), epoch);
    hub.broadcast(Messages.agentConnected(session));
    hub.broadcast(
        Messages.agentStatus(
            session.agentId, AgentStatus.ONLINE, session, stored.lastSeen(), null));
  }

  /**
   * A new agent while the store cannot be written: told why and closed 1013 (try again later); no
   * session.
   */
  private void refuseWhileStoreFails(Peer peer, Message msg) {
    String why =
        "The backend's store cannot be written (" + db.writeFailure() + "); try again later";
    FrameGuard.refuse(peer, ai.onsembl.protocol.ErrorCode.INTERNAL_ERROR, why, msg.id());
    peer.closeAfter(STORE_UNAVAILABLE_CODE, STORE_UNAVAILABLE, 250);
  }

  /** True while OFFLINE rows wait for the store, or its last write failed. */
  boolean storeFailing() {
    return unsavedCount > 0 || !db.writable();
  }

  /** Why the store is failing (its last write error, or OFFLINE rows waiting), or null. */
  String storeFailure() {
    if (!storeFailing()) {
      return null;
    }
    String why = db.writeFailure();
    return "not writable: " + (why != null ? why : "OFFLINE rows are waiting to be written");
  }

  /**
   * On the worker, every second while the store fails: writes the OFFLINE rows that could not be
   * written, or probes the store with an empty write transaction, so agents are accepted again as
   * soon as it recovers.
   */
  void retryStore() {
    if (!unsaved.isEmpty()) {
      List<Ending> again = new ArrayList<>(unsaved);
      unsaved.clear();
      unsavedCount = 0;
      finish(again, true);
    } else if (!db.writable()) {
      try {
        db.tryTx(c -> null);
        LOG.info("The store can be written again");
      } catch (IllegalStateException e) {
        LOG.debug("Store still failing: {}", e.getMessage());
      }
    }
  }

  private void acknowledge(AgentSession s, Message msg) {
    toAgent.send(
        s.peer, Message.of(new Ack(msg.id(), true, s.agentId, s.connectionId(), null, null)));
    toAgent.send(
        s.peer,
        Message.of(
            new ServerHeartbeat(
                System.currentTimeMillis(), config.heartbeatInterval().toMillis())));
  }

  /** The socket closed, with any code. */
  void closed(Peer peer, int code, long detectedNanos) {
    closedAll(List.of(new CloseBatcher.Closed(peer, code, detectedNanos, 0)));
  }

  /**
   * Sockets closed, with any codes: one transaction marks all of them OFFLINE (with history rows
   * and their commands cancelled), then the broadcasts for all of them follow.
   */
  void closedAll(List<CloseBatcher.Closed> closes) {
    List<Ending> endings = new ArrayList<>(closes.size());
    for (CloseBatcher.Closed c : closes) {
      AgentSession s = c.peer().session;
      if (s == null) {
        continue;
      }
      String goodbye = s.goodbyeReason;
      String reason = goodbye != null ? goodbye : "Connection closed (code " + c.code() + ")";
      Ending e =
          begin(
              s,
              reason,
              goodbye != null ? Reason.AGENT_DISCONNECT : Reason.CONNECTION_CLOSED,
              c.detectedNanos());
      if (e != null) {
        endings.add(e);
      }
    }
    finish(endings);
  }

  void heartbeatTimeout(AgentSession s) {
    long detected = System.nanoTime();
    if (!registry.isCurrent(s) || s.ended.get()) {
      return;
    }
    // The deadline fired on the timer, but this task may have waited behind a backlog on the worker
    // while the
    // agent's frames kept arriving (they are stamped on the reading thread): check again before
    // OFFLINE.
    if (System.nanoTime() - s.peer.lastFrameNanos < config.heartbeatTimeout().toNanos()) {
      monitor.rearm(s);
      return;
    }
    metrics.heartbeatTimeout();
    LOG.warn(
        "Agent {}: no frame for {} ms, marking OFFLINE ({}) and closing 4000",
        s.agentId,
        config.heartbeatTimeout().toMillis(),
        HEARTBEAT_TIMEOUT);
    end(s, HEARTBEAT_TIMEOUT, Reason.HEARTBEAT_TIMEOUT, detected);
    s.peer.close(4000, HEARTBEAT_TIMEOUT);
    forceCloseLater.accept(s.peer);
  }

  /** Marks every live agent OFFLINE before the server stops. */
  void shutdown() {
    long detected = System.nanoTime();
    for (AgentSession s : registry.all()) {
      end(s, SERVER_STOPPED, Reason.SERVER_SHUTDOWN, detected);
    }
  }

  /**
   * One session being marked OFFLINE: what {@link #begin} decided, then what the transaction did.
   */
  private static final class Ending {
    final AgentSession s;
    final String reason;
    final Reason label;
    final long detectedNanos;
    final long lastSeen;
    List<String> cancelled;

    Ending(AgentSession s, String reason, Reason label, long detectedNanos) {
      this.s = s;
      this.reason = reason;
      this.label = label;
      this.detectedNanos = detectedNanos;
      this.lastSeen = s.peer.lastSeenMillis;
    }
  }

  /**
   * The disconnect handler: once per session, and only while it is the agent's current session. One
   * transaction writes OFFLINE, last_seen, the history row and the cancelled commands; broadcasts
   * follow.
   */
  private void end(AgentSession s, String reason, Reason label, long detectedNanos) {
    Ending e = begin(s, reason, label, detectedNanos);
    if (e != null) {
      finish(List.of(e));
    }
  }

  private Ending begin(AgentSession s, String reason, Reason label, long detectedNanos) {
    if (!s.ended.compareAndSet(false, true)) {
      return null;
    }
    monitor.unwatch(s);
    if (!registry.removeIfCurrent(s)) {
      LOG.debug("Agent {}: close of replaced connection epoch {} ignored", s.agentId, s.epoch);
      return null;
    }
    return new Ending(s, reason, label, detectedNanos);
  }

  private void finish(List<Ending> endings) {
    finish(endings, false);
  }

  private void finish(List<Ending> endings, boolean retry) {
    if (endings.isEmpty()) {
      return;
    }
    long now = System.currentTimeMillis();
    Database.Work<Object> work =
        c -> {
          List<AgentStore.Offline> rows = new ArrayList<>(endings.size());
          for (Ending e : endings) {
            rows.add(new AgentStore.Offline(e.s.agentId, e.s.epoch, e.reason, e.lastSeen));
          }
          boolean[] marked = agents.markOfflineAll(c, rows, now);
          Set<String> markedIds = new HashSet<>();
          for (int i = 0; i < marked.length; i++) {
            if (marked[i]) {
              markedIds.add(endings.get(i).s.agentId);
            }
          }
          Map<String, List<String>> cancelled =
              commands.cancelOpenFor(c, markedIds, CANCELLED_ON_DISCONNECT, now);
          for (int i = 0; i < marked.length; i++) {
            Ending e = endings.get(i);
            e.cancelled = marked[i] ? cancelled.getOrDefault(e.s.agentId, List.of()) : null;
          }
          return null;
        };
    try {
      if (retry) {
        db.tryTx(work);
        LOG.info("The store can be written again: {} OFFLINE row(s) written", endings.size());
      } else {
        db.tx(work);
      }
    } catch (IllegalStateException ex) {
      // SQLITE_BUSY past the busy timeout, disk full: kept and written by retryStore() once the
      // store recovers,
      // so no row stays ONLINE without a session; until then new agents are refused.
      unsaved.addAll(endings);
      unsavedCount = unsaved.size();
      if (!retry) {
        LOG.error(
            "Cannot write OFFLINE for {} agent(s), retrying every second: {}",
            endings.size(),
            ex.getMessage());
      }
      return;
    }
    if (endings.size() > 1) {
      LOG.info("{} agents OFFLINE in one batch", endings.size());
    }
    for (Ending e : endings) {
      if (e.cancelled == null) {
        continue;
      }
      if (endings.size() == 1 || LOG.isDebugEnabled()) {
        LOG.info(
            "Agent {} OFFLINE: {} ({} command(s) cancelled)",
            e.s.agentId,
            e.reason,
            e.cancelled.size());
      }
      hub.broadcast(Message.of(new AgentDisconnect(e.s.agentId, e.reason, now, null, null)));
      hub.broadcast(
          Messages.agentStatus(e.s.agentId, AgentStatus.OFFLINE, null, e.lastSeen, e.reason));
      for (String commandId : e.cancelled) {
        hub.broadcast(
            Messages.commandStatus(
                commandId, e.s.agentId, CommandStatus.CANCELLED, CANCELLED_ON_DISCONNECT));
      }
      metrics.agentDisconnected(e.label, e.detectedNanos);
    }
  }
}
