package ai.onsembl.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * DASHBOARD_SUBSCRIBE: {@code subscriptionType} is agent, command, trace or terminal. The target is
 * named in either dialect: the web frontend's {@code id} ({@code {type, id?, all?}}), or our {@code
 * agentId} / {@code commandId}; {@code all: true} (or no target at all) means every one of that
 * type.
 */
public record DashboardSubscribe(
    @JsonProperty("type") String subscriptionType,
    String id,
    String agentId,
    String commandId,
    Boolean all)
    implements Payload {

  /** The id this subscription names, whichever field carried it, or null for all. */
  public String target() {
    return target(subscriptionType, id, agentId, commandId);
  }

  /** True when it covers every agent/command/... of its type. */
  public boolean coversAll() {
    return Boolean.TRUE.equals(all) || target() == null;
  }

  /**
   * The frontend's {@code id} first; else ours, by type (a terminal names a command, else an
   * agent).
   */
  static String target(String type, String id, String agentId, String commandId) {
    if (id != null) {
      return id;
    }
    if ("command".equals(type) || "terminal".equals(type) || "trace".equals(type)) {
      return commandId != null ? commandId : agentId;
    }
    return agentId != null ? agentId : commandId;
  }

  @Override
  public MessageType type() {
    return MessageType.DASHBOARD_SUBSCRIBE;
  }
}
