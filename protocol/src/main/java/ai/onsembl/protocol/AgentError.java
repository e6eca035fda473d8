package ai.onsembl.protocol;

import java.util.Map;

/** AGENT_ERROR: a child crash or resource trouble. {@code details} is free-form JSON. */
public record AgentError(
    String agentId,
    EnumValue<AgentErrorType> errorType,
    String message,
    Boolean recoverable,
    Map<String, Object> details)
    implements Payload {

  public AgentError {
    details = ai.onsembl.protocol.internal.Frozen.map(details);
  }

  @Override
  public MessageType type() {
    return MessageType.AGENT_ERROR;
  }
}
