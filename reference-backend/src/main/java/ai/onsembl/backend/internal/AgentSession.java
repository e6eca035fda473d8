package ai.onsembl.backend.internal;

import ai.onsembl.backend.AgentState;
import ai.onsembl.protocol.ActivityState;
import ai.onsembl.protocol.Capabilities;
import ai.onsembl.protocol.HealthMetrics;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/** An accepted agent connection: one per agent id at a time, identified by its epoch. */
public final class AgentSession {
  final String agentId;
  final long epoch;
  final Peer peer;
  final AgentState info;
  final Capabilities capabilities;
  final AtomicBoolean ended = new AtomicBoolean();
  volatile HealthMetrics health;
  volatile long lastHeartbeatMillis;

  /** The agent's own AGENT_DISCONNECT reason, which wins over the close code. */
  volatile String goodbyeReason;

  volatile long flushedLastSeen;
  volatile ScheduledFuture<?> pingTask;
  volatile ScheduledFuture<?> deadlineTask;

  /** Commands this session is executing; touched on the worker only. */
  final java.util.Set<String> executing = new java.util.HashSet<>();

  volatile ActivityState activity = ActivityState.IDLE;

  AgentSession(String agentId, long epoch, Peer peer, AgentState info, Capabilities capabilities) {
    this.agentId = agentId;
    this.epoch = epoch;
    this.peer = peer;
    this.info = info;
    this.capabilities = capabilities;
  }

  String connectionId() {
    return "conn-" + epoch;
  }
}
