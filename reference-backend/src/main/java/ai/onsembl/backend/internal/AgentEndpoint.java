package ai.onsembl.backend.internal;

import ai.onsembl.protocol.AgentConnect;
import ai.onsembl.protocol.AgentDisconnect;
import ai.onsembl.protocol.AgentError;
import ai.onsembl.protocol.AgentHeartbeat;
import ai.onsembl.protocol.CommandAck;
import ai.onsembl.protocol.CommandComplete;
import ai.onsembl.protocol.ErrorCode;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.protocol.TerminalOutput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frames on {@code /ws/agent}. Checks run on the reading thread; anything that touches the store or
 * dashboards goes to the worker in arrival order, through a {@link WorkGate}: when the worker is
 * behind by its limit, the reading thread waits (backpressure to the sockets) instead of growing
 * the queue.
 */
final class AgentEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(AgentEndpoint.class);

  private final WorkGate worker;
  private final BackendHooks hooks;
  private final BackendMetrics metrics;
  private final AgentLifecycle lifecycle;
  private final CommandService commandService;

  AgentEndpoint(
      WorkGate worker,
      BackendHooks hooks,
      BackendMetrics metrics,
      AgentLifecycle lifecycle,
      CommandService commandService) {
    this.worker = worker;
    this.hooks = hooks;
    this.metrics = metrics;
    this.lifecycle = lifecycle;
    this.commandService = commandService;
  }

  void onFrame(Peer p, String text) {
    p.touch();
    // Decoded before the rate check so terminal output can be charged to its own, larger budget.
    Message m = FrameGuard.decode(p, text);
    boolean output = m != null && m.type() == MessageType.TERMINAL_OUTPUT;
    if (!(output ? FrameGuard.withinOutputRate(p) : FrameGuard.withinRate(p))) {
      return;
    }
    hooks.onAgentFrame(p.index, p.nextFrameSequence(), p.agentId, text, m);
    if (m == null) {
      return;
    }
    switch (m.type()) {
      case AGENT_CONNECT -> onConnect(p, m, m.payload(AgentConnect.class), text.length());
      case PONG -> {}
      case AGENT_HEARTBEAT -> {
        AgentHeartbeat hb = m.payload(AgentHeartbeat.class);
        if (claims(p, m, hb.agentId())) {
          AgentSession s = p.session;
          if (s != null) {
            s.health = hb.healthMetrics();
            s.lastHeartbeatMillis = System.currentTimeMillis();
            metrics.heartbeatProcessed(m.timestamp());
          }
        }
      }
      case COMMAND_ACK -> {
        CommandAck ack = m.payload(CommandAck.class);
        if (claims(p, m, ack.agentId())) {
          onSession(p, m, text.length(), s -> commandService.onAck(s, ack));
        }
      }
      case COMMAND_COMPLETE -> {
        CommandComplete done = m.payload(CommandComplete.class);
        if (claims(p, m, done.agentId())) {
          onSession(p, m, text.length(), s -> commandService.onComplete(s, done));
        }
      }
      case TERMINAL_OUTPUT -> {
        TerminalOutput out = m.payload(TerminalOutput.class);
        if (claims(p, m, out.agentId())) {
          onSession(
              p,
              m,
              text.length(),
              s ->
                  switch (commandService.onOutput(s, out)) {
                    case ACCEPTED -> true;
                    case FOREIGN -> false;
                    case UNKNOWN -> {
                      // Not closed: a wrapper may replay output of a command this backend no longer
                      // knows.
                      FrameGuard.refuse(
                          p,
                          ErrorCode.FORBIDDEN,
                          "TERMINAL_OUTPUT for command "
                              + out.commandId()
                              + ": expected this agent's own id or a command the backend gave to "
                              + s.agentId,
                          m.id());
                      yield true;
                    }
                  });
        }
      }
      case AGENT_DISCONNECT -> {
        AgentDisconnect bye = m.payload(AgentDisconnect.class);
        if (claims(p, m, bye.agentId())) {
          onSession(
              p,
              m,
              text.length(),
              s -> {
                s.goodbyeReason =
                    bye.reason() == null || bye.reason().isBlank()
                        ? "Agent disconnected"
                        : bye.reason();
                return true;
              });
        }
      }
      case AGENT_ERROR -> {
        AgentError err = m.payload(AgentError.class);
        if (claims(p, m, err.agentId()) && p.firstTime("AGENT_ERROR")) {
          LOG.warn("Agent {} reports {}: {}", p.agentId, err.errorType(), err.message());
        }
      }
      case TRACE_EVENT, ACK, ERROR -> {}
      default ->
          FrameGuard.refuse(
              p,
              ErrorCode.INVALID_MESSAGE_TYPE,
              m.type() + " is not accepted on the agent endpoint",
              m.id());
    }
  }

  private void onConnect(Peer p, Message m, AgentConnect hello, int size) {
    String id = hello.agentId();
    if (id == null || id.isBlank()) {
      FrameGuard.refuse(
          p, ErrorCode.INVALID_MESSAGE, "AGENT_CONNECT payload.agentId is required", m.id());
      return;
    }
    if (p.agentId != null && !p.agentId.equals(id)) {
      FrameGuard.spoofed(p, id, m.id());
      return;
    }
    Authenticator.Result credential = p.credential;
    if (credential != null && !credential.allowsAgent(id)) {
      // Final like a wrong token (4401: the wrapper does not retry): this token will never open
      // that id.
      FrameGuard.refuse(
          p,
          ErrorCode.UNAUTHORIZED,
          "This token may connect as "
              + String.join(", ", new java.util.TreeSet<>(credential.agentIds()))
              + " only, not as "
              + id,
          m.id());
      p.closeAfter(4401, "Agent id not allowed for this token", 250);
      return;
    }
    p.agentId = id;
    worker.run(size, () -> lifecycle.connect(p, m, hello));
  }

  /** Checks that a frame's agentId (when it has one) is this connection's agent. */
  private boolean claims(Peer p, Message m, String claimed) {
    if (p.agentId == null) {
      FrameGuard.refuse(
          p, ErrorCode.INVALID_MESSAGE, "Send AGENT_CONNECT before " + m.type(), m.id());
      return false;
    }
    if (claimed != null && !claimed.equals(p.agentId)) {
      FrameGuard.spoofed(p, claimed, m.id());
      return false;
    }
    return true;
  }

  private interface SessionWork {
    boolean run(AgentSession s);
  }

  private void onSession(Peer p, Message m, int size, SessionWork work) {
    worker.run(
        size,
        () -> {
          AgentSession s = p.session;
          if (s == null || s.ended.get()) {
            return;
          }
          if (!work.run(s)) {
            FrameGuard.refuse(
                p, ErrorCode.FORBIDDEN, m.type() + " names a command of another agent", m.id());
            p.closeAfter(1008, "Frame claims another agent's command", 250);
          }
        });
  }
}
