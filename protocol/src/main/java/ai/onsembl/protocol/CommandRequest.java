package ai.onsembl.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * COMMAND_REQUEST. Server to agent: {@code commandId} and {@code content} (the TypeScript backend
 * also sends the same text as {@code command}). Dashboard to server: {@code agentId} and {@code
 * command} or {@code content}; {@code commandId} optional.
 */
public record CommandRequest(
    String agentId,
    String commandId,
    String content,
    String command,
    @JsonProperty("type") EnumValue<CommandType> commandType,
    Integer priority,
    List<String> args,
    ExecutionConstraints executionConstraints,
    String dashboardId,
    String userId)
    implements Payload {

  public CommandRequest {
    args = args == null ? null : List.copyOf(args);
  }

  /** The text to run: {@code content}, else {@code command}. */
  public String text() {
    return content != null && !content.isEmpty() ? content : command;
  }

  @Override
  public MessageType type() {
    return MessageType.COMMAND_REQUEST;
  }
}
