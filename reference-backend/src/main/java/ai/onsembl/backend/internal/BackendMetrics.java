package ai.onsembl.backend.internal;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.LongSupplier;

/**
 * The backend's Prometheus metrics ({@code /metrics}), in a registry of this backend's own (several
 * backends may share a JVM).
 */
public final class BackendMetrics {
  /** Label values of {@code agent_disconnected_total{reason}}: a fixed set, never free text. */
  public enum Reason {
    AGENT_DISCONNECT,
    CONNECTION_CLOSED,
    HEARTBEAT_TIMEOUT,
    SERVER_SHUTDOWN;

    String label() {
      return name().toLowerCase();
    }
  }

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter connected;
  private final Counter disconnected;
  private final Counter heartbeatTimeouts;
  private final Counter staleMarked;
  private final Histogram disconnectLatency;
  private final Counter dashboardResyncs;
  private final Counter dashboardCoalesced;
  private final Counter dashboardDropped;
  private final Counter writesResumed;
  private volatile long lastAgentCloseMillis;
  private final Histogram heartbeatLag;

  BackendMetrics(LongSupplier ghostCount, LongSupplier dashboardConnections) {
    connected =
        Counter.builder()
            .name("agent_connected_total")
            .help("Agent connections accepted (AGENT_CONNECT acknowledged)")
            .register(registry);
    disconnected =
        Counter.builder()
            .name("agent_disconnected_total")
            .labelNames("reason")
            .help("Agents marked OFFLINE, by cause")
            .register(registry);
    for (Reason r : Reason.values()) {
      // Every cause shows from the first scrape, at 0, so rate() and alerts need no special case.
      disconnected.initLabelValues(r.label());
    }
    heartbeatTimeouts =
        Counter.builder()
            .name("agent_heartbeat_timeout_total")
            .help("Agents marked OFFLINE because they were silent past the heartbeat timeout")
            .register(registry);
    staleMarked =
        Counter.builder()
            .name("agent_stale_marked_total")
            .help("Agents found not OFFLINE at startup and marked OFFLINE (Server restarted)")
            .register(registry);
    disconnectLatency =
        Histogram.builder()
            .name("agent_disconnect_latency_seconds")
            .help(
                "From detecting a lost agent (close or deadline) to OFFLINE committed and broadcast")
            .classicOnly()
            .classicUpperBounds(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
            .register(registry);
    heartbeatLag =
        Histogram.builder()
            .name("agent_heartbeat_lag_seconds")
            .help(
                "From an AGENT_HEARTBEAT's envelope timestamp (sender clock) to its processing here; "
                    + "meaningful when sender and backend share a clock (same host), used by the benchmarks")
            .classicOnly()
            .classicUpperBounds(
                0.001, 0.002, 0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5)
            .register(registry);
    dashboardResyncs =
        Counter.builder()
            .name("dashboard_resync_total")
            .help(
                "Dashboards that fell too far behind and were sent a fresh snapshot instead of their backlog")
            .register(registry);
    dashboardCoalesced =
        Counter.builder()
            .name("dashboard_coalesce_total")
            .help(
                "Dashboard backlogs that overflowed and were coalesced (latest status per agent kept)")
            .register(registry);
    dashboardDropped =
        Counter.builder()
            .name("dashboard_dropped_total")
            .help("Dashboards closed (1008) because they read nothing for the heartbeat timeout")
            .register(registry);
    writesResumed =
        Counter.builder()
            .name("websocket_writes_resumed_total")
            .help(
                "Connections found with queued frames but no write interest (a lost wake-up in"
                    + " Java-WebSocket's selector) and asked to write again")
            .register(registry);
    GaugeWithCallback.builder()
        .name("agent_last_close_timestamp_seconds")
        .help(
            "Wall-clock time Java-WebSocket last delivered the close of an agent socket (0 before any); the "
                + "benchmarks compare it with when dashboards saw the OFFLINE")
        .callback(cb -> cb.call(lastAgentCloseMillis / 1e3))
        .register(registry);
    GaugeWithCallback.builder()
        .name("agent_ghost_count")
        .help(
            "Agents the store says are ONLINE without a live socket in the registry; always 0 when correct"
                + " (computed at most every 250 ms)")
        .callback(cb -> cb.call(ghostCount.getAsLong()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("dashboard_connections")
        .help("Open dashboard connections")
        .callback(cb -> cb.call(dashboardConnections.getAsLong()))
        .register(registry);
  }

  void agentConnected() {
    connected.inc();
  }

  void agentDisconnected(Reason reason, long detectedNanos) {
    disconnected.labelValues(reason.label()).inc();
    disconnectLatency.observe((System.nanoTime() - detectedNanos) / 1e9);
  }

  /**
   * An AGENT_HEARTBEAT stamped {@code sentMillis} (epoch ms) was processed now; clock skew is
   * clamped to 0.
   */
  void heartbeatProcessed(long sentMillis) {
    heartbeatLag.observe(Math.max(0, System.currentTimeMillis() - sentMillis) / 1e3);
  }

  /**
   * Registers {@code store_writable}: 1 while the store takes writes, 0 while they fail (then
   * agents are refused).
   */
  void storeWritable(LongSupplier writable) {
    GaugeWithCallback.builder()
        .name("store_writable")
        .help(
            "1 while the database takes writes; 0 while they fail (SQLITE_BUSY, disk full): new agents are then "
                + "refused (close 1013) and OFFLINE rows wait to be retried")
        .callback(cb -> cb.call(writable.getAsLong()))
        .register(registry);
  }

  /** Java-WebSocket delivered an agent socket's close now. */
  void workerQueue(LongSupplier queuedBytes, LongSupplier waits) {
    GaugeWithCallback.builder()
        .name("worker_queue_bytes")
        .help(
            "Bytes of agent frames waiting for the backend's worker (bounded; beyond it sockets are not read)")
        .callback(cb -> cb.call(queuedBytes.getAsLong()))
        .register(registry);
    io.prometheus.metrics.core.metrics.CounterWithCallback.builder()
        .name("worker_backpressure_waits")
        .help(
            "Agent frames whose reading thread waited for room in the worker's queue (backpressure)")
        .callback(cb -> cb.call(waits.getAsLong()))
        .register(registry);
  }

  void agentSocketClosed() {
    lastAgentCloseMillis = System.currentTimeMillis();
  }

  void dashboardResync() {
    dashboardResyncs.inc();
  }

  void dashboardCoalesced() {
    dashboardCoalesced.inc();
  }

  void dashboardDropped() {
    dashboardDropped.inc();
  }

  void writesResumed(int n) {
    writesResumed.inc(n);
  }

  void heartbeatTimeout() {
    heartbeatTimeouts.inc();
  }

  void staleMarked(long n) {
    staleMarked.inc(n);
  }

  /** Content type of {@link #scrape()}. */
  public String contentType() {
    return PrometheusTextFormatWriter.CONTENT_TYPE;
  }

  /** Prometheus text format 0.0.4. */
  public byte[] scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
