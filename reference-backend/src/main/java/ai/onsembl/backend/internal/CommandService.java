package ai.onsembl.backend.internal;

import ai.onsembl.backend.internal.CommandStore.CommandRecord;
import ai.onsembl.backend.internal.CommandStore.OutputChunk;
import ai.onsembl.protocol.ActivityState;
import ai.onsembl.protocol.AgentControl;
import ai.onsembl.protocol.AgentStatus;
import ai.onsembl.protocol.CommandAck;
import ai.onsembl.protocol.CommandCancel;
import ai.onsembl.protocol.CommandComplete;
import ai.onsembl.protocol.CommandRequest;
import ai.onsembl.protocol.CommandStatus;
import ai.onsembl.protocol.CommandType;
import ai.onsembl.protocol.ControlAction;
import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.ErrorCode;
import ai.onsembl.protocol.ExecutionConstraints;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.TerminalOutput;
import ai.onsembl.protocol.TerminalStream;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commands from dashboards and REST to agents, and their status driven by the agent's COMMAND_ACK
 * and COMMAND_COMPLETE. Runs on the worker thread, like {@link AgentLifecycle}.
 */
final class CommandService {
  private static final Logger LOG = LoggerFactory.getLogger(CommandService.class);

  private final Database db;
  private final AgentStore agents;
  private final CommandStore commands;
  private final Registry registry;
  private final DashboardHub hub;
  private final AgentSender toAgent;

  /** Output kept per command (--max-output-per-command); set once before the ports open. */
  volatile long maxOutputBytes = Long.MAX_VALUE;

  CommandService(
      Database db,
      AgentStore agents,
      CommandStore commands,
      Registry registry,
      DashboardHub hub,
      AgentSender toAgent) {
    this.db = db;
    this.agents = agents;
    this.commands = commands;
    this.registry = registry;
    this.hub = hub;
    this.toAgent = toAgent;
  }

  Outcome<CommandRecord> request(String agentId, String commandId, String content, String source) {
    return request(agentId, commandId, content, source, CommandType.NATURAL, 1, null);
  }

  /**
   * As above with the request's type, priority and time limit ({@code
   * executionConstraints.timeLimitMs}).
   */
  Outcome<CommandRecord> request(
      String agentId,
      String commandId,
      String content,
      String source,
      CommandType type,
      int priority,
      Long timeLimitMs) {
    if (content == null || content.isBlank()) {
      return Outcome.refused(ErrorCode.INVALID_MESSAGE, "command content must not be empty", 400);
    }
    Outcome<AgentSession> target = online(agentId);
    if (!target.isOk()) {
      return Outcome.refused(target.code(), target.message(), target.httpStatus());
    }
    String id = commandId == null || commandId.isBlank() ? UUID.randomUUID().toString() : commandId;
    if (commands.find(id).isPresent()) {
      return Outcome.refused(ErrorCode.INVALID_MESSAGE, "command " + id + " already exists", 409);
    }
    long now = System.currentTimeMillis();
    CommandRecord r =
        new CommandRecord(
            id, agentId, content, CommandStatus.PENDING, null, null, source, now, now, null);
    db.tx(
        c -> {
          commands.insert(c, r);
          return null;
        });
    toAgent.send(
        target.value().peer,
        Message.of(
            new CommandRequest(
                null,
                id,
                content,
                content,
                EnumValue.of(type),
                priority,
                null,
                timeLimitMs == null ? null : new ExecutionConstraints(timeLimitMs, null, null),
                null,
                null)));
    hub.broadcast(Messages.commandStatus(id, agentId, CommandStatus.PENDING, null));
    LOG.info("Command {} sent to agent {} (from {})", id, agentId, source);
    return Outcome.ok(r);
  }

  Outcome<CommandRecord> cancel(String commandId, String reason) {
    Optional<CommandRecord> found = commands.find(commandId);
    if (found.isEmpty()) {
      return Outcome.refused(ErrorCode.COMMAND_NOT_FOUND, "no command " + commandId, 404);
    }
    CommandRecord r = found.get();
    if (CommandStore.TERMINAL.contains(r.status())) {
      return Outcome.refused(
          ErrorCode.INVALID_MESSAGE,
          "command " + commandId + " already finished: " + r.status(),
          409);
    }
    Outcome<AgentSession> target = online(r.agentId());
    if (!target.isOk()) {
      return Outcome.refused(target.code(), target.message(), target.httpStatus());
    }
    toAgent.send(
        target.value().peer,
        Message.of(
            new CommandCancel(
                null, commandId, reason == null ? "Cancelled from dashboard" : reason, false)));
    return Outcome.ok(r);
  }

  Outcome<ControlAction> control(String agentId, String action, String reason) {
    EnumValue<ControlAction> a =
        action == null ? null : EnumValue.parse(ControlAction.class, action);
    if (a == null || a.isUnknown()) {
      return Outcome.refused(
          ErrorCode.INVALID_MESSAGE,
          "action must be STOP, RESTART, PAUSE or RESUME but was " + action,
          400);
    }
    Outcome<AgentSession> target = online(agentId);
    if (!target.isOk()) {
      return Outcome.refused(target.code(), target.message(), target.httpStatus());
    }
    toAgent.send(
        target.value().peer,
        Message.of(
            new AgentControl(
                null,
                a,
                reason == null ? "Requested from dashboard" : reason,
                a.is(ControlAction.STOP) ? Boolean.TRUE : null,
                null)));
    LOG.info("AGENT_CONTROL {} sent to agent {}", a.raw(), agentId);
    return Outcome.ok(a.value());
  }

  private Outcome<AgentSession> online(String agentId) {
    if (agentId == null || agentId.isBlank()) {
      return Outcome.refused(ErrorCode.INVALID_MESSAGE, "agentId is required", 400);
    }
    AgentSession s = registry.current(agentId);
    if (s != null) {
      return Outcome.ok(s);
    }
    if (agents.find(agentId).isPresent()) {
      return Outcome.refused(ErrorCode.AGENT_OFFLINE, "agent " + agentId + " is OFFLINE", 409);
    }
    return Outcome.refused(ErrorCode.AGENT_NOT_FOUND, "no agent " + agentId, 404);
  }

  /** False when the command belongs to another agent (the frame is spoofed). */
  boolean onAck(AgentSession s, CommandAck ack) {
    CommandStatus status = ack.status() == null ? CommandStatus.UNKNOWN : ack.status().value();
    CommandStatus next =
        switch (status) {
          case RECEIVED, QUEUED, PENDING -> CommandStatus.QUEUED;
          case EXECUTING -> CommandStatus.EXECUTING;
          default -> null;
        };
    return next == null || transition(s, ack.commandId(), next, null, null);
  }

  boolean onComplete(AgentSession s, CommandComplete done) {
    CommandStatus status = done.status() == null ? CommandStatus.UNKNOWN : done.status().value();
    if (!CommandStore.TERMINAL.contains(status)) {
      status = CommandStatus.FAILED;
    }
    return transition(s, done.commandId(), status, done.error(), done.exitCode());
  }

  private boolean transition(
      AgentSession s, String commandId, CommandStatus status, String error, Integer exit) {
    long now = System.currentTimeMillis();
    Boolean changed =
        db.tx(
            c -> {
              Optional<CommandRecord> r = commands.find(c, commandId);
              if (r.isEmpty()) {
                return Boolean.FALSE;
              }
              if (!r.get().agentId().equals(s.agentId)) {
                return null;
              }
              return commands.transition(c, commandId, status, error, exit, now);
            });
    if (changed == null) {
      return false;
    }
    if (changed) {
      hub.broadcast(Messages.commandStatus(commandId, s.agentId, status, error));
      updateActivity(s, commandId, status);
    }
    return true;
  }

  /** PROCESSING while the agent executes a command, IDLE otherwise; AGENT_STATUS on each change. */
  private void updateActivity(AgentSession s, String commandId, CommandStatus status) {
    if (status == CommandStatus.EXECUTING) {
      s.executing.add(commandId);
    } else if (CommandStore.TERMINAL.contains(status)) {
      s.executing.remove(commandId);
    }
    ActivityState next = s.executing.isEmpty() ? ActivityState.IDLE : ActivityState.PROCESSING;
    if (next != s.activity && registry.isCurrent(s)) {
      s.activity = next;
      hub.broadcast(
          Messages.agentStatus(s.agentId, AgentStatus.ONLINE, s, s.peer.lastSeenMillis, null));
    }
  }

  /** What became of a TERMINAL_OUTPUT frame. */
  enum OutputVerdict {
    /** Stored and streamed (or a duplicate of a stored chunk). */
    ACCEPTED,
    /** Names a command of another agent: refused, nothing stored. */
    FOREIGN,
    /**
     * Names neither the sender's session nor a command the backend gave it: refused, nothing
     * stored.
     */
    UNKNOWN
  }

  /**
   * Stores a chunk once and streams it once. Accepted only for the sender's own session output
   * (commandId == its agentId) or a command the backend gave to that agent; anything else is stored
   * nowhere.
   */
  OutputVerdict onOutput(AgentSession s, TerminalOutput out) {
    long now = System.currentTimeMillis();
    String stream = out.streamType() == null ? "STDOUT" : out.streamType().raw();
    Object result =
        db.tx(
            c -> {
              if (!out.commandId().equals(s.agentId)) {
                Optional<CommandRecord> r = commands.find(c, out.commandId());
                if (r.isEmpty()) {
                  return OutputVerdict.UNKNOWN;
                }
                if (!r.get().agentId().equals(s.agentId)) {
                  return OutputVerdict.FOREIGN;
                }
              }
              return commands.appendOutput(
                  c,
                  new OutputChunk(
                      out.commandId(), out.sequence(), s.agentId, stream, out.content(), now),
                  maxOutputBytes);
            });
    if (result instanceof OutputVerdict refused) {
      return refused;
    }
    if (Boolean.TRUE.equals(result)) {
      hub.broadcast(
          Message.of(
              new TerminalStream(
                  out.commandId(),
                  s.agentId,
                  out.streamType(),
                  out.content(),
                  out.sequence(),
                  now,
                  out.ansiCodes())));
    }
    return OutputVerdict.ACCEPTED;
  }
}
