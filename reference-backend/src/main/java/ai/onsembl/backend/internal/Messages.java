package ai.onsembl.backend.internal;

import ai.onsembl.backend.AgentState;
import ai.onsembl.protocol.ActivityState;
import ai.onsembl.protocol.AgentConnected;
import ai.onsembl.protocol.AgentStatus;
import ai.onsembl.protocol.AgentStatusUpdate;
import ai.onsembl.protocol.AgentSummary;
import ai.onsembl.protocol.AgentType;
import ai.onsembl.protocol.CommandStatus;
import ai.onsembl.protocol.CommandStatusUpdate;
import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.ErrorCode;
import ai.onsembl.protocol.ErrorMessage;
import ai.onsembl.protocol.Message;

/** Builders for the frames the backend sends. */
final class Messages {
  private Messages() {}

  static Message error(ErrorCode code, String text, String inReplyTo) {
    return Message.of(new ErrorMessage(EnumValue.of(code), text, null, inReplyTo));
  }

  static Message agentStatus(
      String agentId, AgentStatus status, AgentSession live, Long lastSeen, String reason) {
    return Message.of(
        new AgentStatusUpdate(
            agentId,
            EnumValue.of(status),
            status == AgentStatus.ONLINE
                ? EnumValue.of(live == null ? ActivityState.IDLE : live.activity)
                : null,
            live == null ? null : live.health,
            live == null || live.lastHeartbeatMillis == 0 ? null : live.lastHeartbeatMillis,
            lastSeen,
            reason,
            null,
            null));
  }

  static Message agentConnected(AgentSession s) {
    return Message.of(
        new AgentConnected(
            s.agentId,
            s.info.name(),
            agentType(s.info.agentType()),
            s.info.version(),
            s.info.hostMachine(),
            s.capabilities,
            System.currentTimeMillis()));
  }

  static Message commandStatus(
      String commandId, String agentId, CommandStatus status, String error) {
    return Message.of(
        new CommandStatusUpdate(commandId, agentId, EnumValue.of(status), error, null));
  }

  static AgentSummary summary(AgentState a, AgentSession live) {
    boolean online = a.status() == AgentStatus.ONLINE;
    Long lastSeen = live != null ? Long.valueOf(live.peer.lastSeenMillis) : a.lastSeen();
    return new AgentSummary(
        a.agentId(),
        a.name(),
        agentType(a.agentType()),
        EnumValue.of(a.status()),
        online ? EnumValue.of(live == null ? ActivityState.IDLE : live.activity) : null,
        a.version(),
        a.hostMachine(),
        live == null ? null : live.capabilities,
        live == null ? null : live.health,
        live == null || live.lastHeartbeatMillis == 0
            ? lastSeen
            : Long.valueOf(live.lastHeartbeatMillis),
        lastSeen,
        a.disconnectReason());
  }

  static EnumValue<AgentType> agentType(String raw) {
    return raw == null ? null : EnumValue.parse(AgentType.class, raw);
  }
}
