package ai.onsembl.protocol.internal;

import ai.onsembl.protocol.*;

/**
 * One reader per message type: required fields are checked here, direction-specific ones by
 * receivers.
 */
public final class PayloadDecoders {
  private PayloadDecoders() {}

  public static Payload decode(MessageType type, PayloadReader r) {
    switch (type) {
      case AGENT_CONNECT:
        return new AgentConnect(
            r.reqId("agentId"),
            r.optString("name"),
            r.optEnum("agentType", AgentType.class),
            r.optString("version"),
            r.optString("hostMachine"),
            r.optCapabilities("capabilities"));
      case AGENT_HEARTBEAT:
        return new AgentHeartbeat(
            r.optString("agentId"), r.optObject("healthMetrics", PayloadDecoders::health));
      case COMMAND_ACK:
        return new CommandAck(
            r.reqId("commandId"),
            r.optString("agentId"),
            r.reqEnum("status", CommandStatus.class),
            r.optInt("queuePosition"));
      case TERMINAL_OUTPUT:
        return new TerminalOutput(
            r.reqId("commandId"),
            r.optString("agentId"),
            r.reqEnum("streamType", StreamType.class),
            r.reqString("content"),
            r.reqPositiveLong("sequence"),
            r.optString("ansiCodes"));
      case COMMAND_COMPLETE:
        return new CommandComplete(
            r.reqId("commandId"),
            r.optString("agentId"),
            r.reqEnum("status", CommandStatus.class),
            r.optString("error"),
            r.optNonNegativeLong("executionTime"),
            r.optNonNegativeLong("tokensUsed"),
            r.optInt("exitCode"),
            r.optObject(
                "outputStats",
                s ->
                    new OutputStats(
                        s.optNonNegativeLong("totalLines"),
                        s.optNonNegativeLong("stdoutLines"),
                        s.optNonNegativeLong("stderrLines"))));
      case AGENT_ERROR:
        return new AgentError(
            r.optString("agentId"),
            r.optEnum("errorType", AgentErrorType.class),
            r.reqString("message"),
            r.optBoolean("recoverable"),
            r.optMap("details"));
      case AGENT_DISCONNECT:
        return new AgentDisconnect(
            r.optString("agentId"),
            r.optString("reason"),
            r.optLong("timestamp"),
            r.optInt("exitCode"),
            r.optBoolean("graceful"));
      case TRACE_EVENT:
        return new TraceEvent(
            r.optString("traceId"),
            r.optString("parentId"),
            r.optString("commandId"),
            r.optString("agentId"),
            r.optEnum("type", TraceType.class),
            r.optString("name"),
            r.optMap("content"),
            r.optLong("startedAt"),
            r.optLong("completedAt"),
            r.optNonNegativeLong("durationMs"),
            r.optNonNegativeLong("tokensUsed"));
      case PING:
        return new Ping(r.optLong("timestamp"), r.optLong("sequence"));
      case PONG:
        return new Pong(r.optLong("timestamp"), r.optLong("latency"), r.optLong("sequence"));
      case ACK:
        return new Ack(
            r.optString("messageId"),
            r.optBoolean("success"),
            r.optString("agentId"),
            r.optString("connectionId"),
            r.optBoolean("authenticated"),
            r.optObject("subscriptions", PayloadDecoders::subscriptions));
      case ERROR:
        return new ErrorMessage(
            r.reqEnum("code", ErrorCode.class),
            r.optString("message"),
            r.optMap("details"),
            r.optString("messageId"));
      case SERVER_HEARTBEAT:
        return new ServerHeartbeat(r.optLong("serverTime"), r.optPositiveLong("nextPingExpected"));
      case COMMAND_REQUEST:
        {
          CommandRequest c =
              new CommandRequest(
                  r.optString("agentId"),
                  r.optString("commandId"),
                  r.optString("content"),
                  r.optString("command"),
                  r.optEnum("type", CommandType.class),
                  r.optInt("priority"),
                  r.optStringList("args"),
                  r.optObject(
                      "executionConstraints",
                      e ->
                          new ExecutionConstraints(
                              e.optPositiveLong("timeLimitMs"),
                              e.optNonNegativeLong("tokenBudget"),
                              e.optInt("maxRetries"))),
                  r.optString("dashboardId"),
                  r.optString("userId"));
          if (c.text() == null) {
            throw new PayloadReader.FieldException(
                "payload.content: expected the command text in content or command but got nothing");
          }
          return c;
        }
      case COMMAND_CANCEL:
        return new CommandCancel(
            r.optString("agentId"),
            r.reqId("commandId"),
            r.optString("reason"),
            r.optBoolean("force"));
      case AGENT_CONTROL:
        return new AgentControl(
            r.optString("agentId"),
            r.reqEnum("action", ControlAction.class),
            r.optString("reason"),
            r.optBoolean("gracefulShutdown"),
            r.optNonNegativeLong("timeout"));
      case TOKEN_REFRESH:
        return new TokenRefresh(
            r.reqId("accessToken"), r.optNonNegativeLong("expiresIn"), r.optString("refreshToken"));
      case EMERGENCY_STOP:
        return new EmergencyStop(
            r.optString("reason"), r.optString("triggeredBy"), r.optLong("timestamp"));
      case DASHBOARD_INIT:
        return new DashboardInit(
            r.optString("userId"), r.optObject("subscriptions", PayloadDecoders::subscriptions));
      case DASHBOARD_SUBSCRIBE:
        return new DashboardSubscribe(
            r.optString("type"),
            r.optString("id"),
            r.optString("agentId"),
            r.optString("commandId"),
            r.optBoolean("all"));
      case DASHBOARD_UNSUBSCRIBE:
        return new DashboardUnsubscribe(
            r.optString("type"),
            r.optString("id"),
            r.optString("agentId"),
            r.optString("commandId"),
            r.optBoolean("all"));
      case DASHBOARD_CONNECTED:
        return new DashboardConnected(
            r.optObjectList("agents", PayloadDecoders::summary), r.optLong("timestamp"));
      case AGENT_CONNECTED:
        return new AgentConnected(
            r.reqId("agentId"),
            r.optString("agentName"),
            r.optEnum("agentType", AgentType.class),
            r.optString("version"),
            r.optString("hostMachine"),
            r.optCapabilities("capabilities"),
            r.optLong("timestamp"));
      case AGENT_STATUS:
        return new AgentStatusUpdate(
            r.reqId("agentId"),
            r.reqEnum("status", AgentStatus.class),
            r.optEnum("activityState", ActivityState.class),
            r.optObject("healthMetrics", PayloadDecoders::health),
            r.optLong("lastHeartbeat"),
            r.optLong("lastSeen"),
            r.optString("reason"),
            r.optInt("queuedCommands"),
            r.optLong("lastPing"));
      case COMMAND_STATUS:
        return new CommandStatusUpdate(
            r.reqId("commandId"),
            r.optString("agentId"),
            r.reqEnum("status", CommandStatus.class),
            r.optString("error"),
            r.optDouble("progress"));
      case TERMINAL_STREAM:
        return new TerminalStream(
            r.reqId("commandId"),
            r.optString("agentId"),
            r.reqEnum("streamType", StreamType.class),
            r.reqString("content"),
            r.optPositiveLong("sequence"),
            r.optLong("timestamp"),
            r.optString("ansiCodes"));
      default:
        throw new IllegalStateException("no decoder for " + type);
    }
  }

  private static HealthMetrics health(PayloadReader h) {
    return new HealthMetrics(
        h.optDouble("cpuUsage"),
        h.optDouble("memoryUsage"),
        h.optNonNegativeLong("uptime"),
        h.optNonNegativeLong("commandsProcessed"),
        h.optDouble("averageResponseTime"));
  }

  private static Subscriptions subscriptions(PayloadReader s) {
    return new Subscriptions(
        s.optSelection("agents"),
        s.optSelection("commands"),
        s.optBoolean("terminals"),
        s.optBoolean("traces"));
  }

  private static AgentSummary summary(PayloadReader a) {
    return new AgentSummary(
        a.reqId("agentId"),
        a.optString("name"),
        a.optEnum("type", AgentType.class),
        a.optEnum("status", AgentStatus.class),
        a.optEnum("activityState", ActivityState.class),
        a.optString("version"),
        a.optString("hostMachine"),
        a.optCapabilities("capabilities"),
        a.optObject("healthMetrics", PayloadDecoders::health),
        a.optLong("lastHeartbeat"),
        a.optLong("lastSeen"),
        a.optString("disconnectReason"));
  }
}
