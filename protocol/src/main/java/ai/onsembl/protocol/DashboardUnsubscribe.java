package ai.onsembl.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** DASHBOARD_UNSUBSCRIBE: the inverse of DASHBOARD_SUBSCRIBE. */
public record DashboardUnsubscribe(@JsonProperty("type") String subscriptionType, String agentId, String commandId, Boolean all)
    implements Payload {
  @Override
  public MessageType type() {
    return MessageType.DASHBOARD_UNSUBSCRIBE;
  }
}
