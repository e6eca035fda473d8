package ai.onsembl.protocol;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Every message type of the protocol (docs/PROTOCOL.md), with the record that models its payload.
 */
public enum MessageType {
  // agent -> server
  AGENT_CONNECT(AgentConnect.class),
  AGENT_HEARTBEAT(AgentHeartbeat.class),
  COMMAND_ACK(CommandAck.class),
  TERMINAL_OUTPUT(TerminalOutput.class),
  COMMAND_COMPLETE(CommandComplete.class),
  AGENT_ERROR(AgentError.class),
  AGENT_DISCONNECT(AgentDisconnect.class),
  TRACE_EVENT(TraceEvent.class),
  // both ways
  PING(Ping.class),
  PONG(Pong.class),
  ACK(Ack.class),
  ERROR(ErrorMessage.class),
  // server -> agent (COMMAND_REQUEST, COMMAND_CANCEL, AGENT_CONTROL also dashboard -> server)
  SERVER_HEARTBEAT(ServerHeartbeat.class),
  COMMAND_REQUEST(CommandRequest.class),
  COMMAND_CANCEL(CommandCancel.class),
  AGENT_CONTROL(AgentControl.class),
  TOKEN_REFRESH(TokenRefresh.class),
  EMERGENCY_STOP(EmergencyStop.class),
  // dashboard -> server
  DASHBOARD_INIT(DashboardInit.class),
  DASHBOARD_SUBSCRIBE(DashboardSubscribe.class),
  DASHBOARD_UNSUBSCRIBE(DashboardUnsubscribe.class),
  // server -> dashboard
  DASHBOARD_CONNECTED(DashboardConnected.class),
  AGENT_CONNECTED(AgentConnected.class),
  AGENT_STATUS(AgentStatusUpdate.class),
  COMMAND_STATUS(CommandStatusUpdate.class),
  TERMINAL_STREAM(TerminalStream.class);

  private static final Map<String, MessageType> BY_NAME = new HashMap<>();

  static {
    for (MessageType t : values()) {
      BY_NAME.put(t.name(), t);
    }
  }

  private final Class<? extends Payload> payloadType;

  MessageType(Class<? extends Payload> payloadType) {
    this.payloadType = payloadType;
  }

  public Class<? extends Payload> payloadType() {
    return payloadType;
  }

  /** The type named exactly {@code name}, if this build knows it. */
  public static Optional<MessageType> find(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }
}
