package ai.onsembl.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/** TRACE_EVENT: one step of an agent's reasoning (prompt, tool call, response). Optional. */
public record TraceEvent(
    String traceId,
    String parentId,
    String commandId,
    String agentId,
    @JsonProperty("type") EnumValue<TraceType> traceType,
    String name,
    Map<String, Object> content,
    Long startedAt,
    Long completedAt,
    Long durationMs,
    Long tokensUsed)
    implements Payload {

  public TraceEvent {
    content = ai.onsembl.protocol.internal.Frozen.map(content);
  }

  @Override
  public MessageType type() {
    return MessageType.TRACE_EVENT;
  }
}
