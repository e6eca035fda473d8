package ai.onsembl.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * DASHBOARD_UNSUBSCRIBE: the inverse of {@link DashboardSubscribe}, with the same fields and
 * dialects.
 */
public record DashboardUnsubscribe(
    @JsonProperty("type") String subscriptionType,
    String id,
    String agentId,
    String commandId,
    Boolean all)
    implements Payload {

  /** The id this names, whichever field carried it, or null for all. */
  public String target() {
    return DashboardSubscribe.target(subscriptionType, id, agentId, commandId);
  }

  @Override
  public MessageType type() {
    return MessageType.DASHBOARD_UNSUBSCRIBE;
  }
}
