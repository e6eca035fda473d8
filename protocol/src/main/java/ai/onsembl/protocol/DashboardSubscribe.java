package ai.onsembl.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** DASHBOARD_SUBSCRIBE: {@code subscriptionType} is agent, command, trace or terminal. */
public record DashboardSubscribe(@JsonProperty("type") String subscriptionType, String agentId, String commandId, Boolean all)
    implements Payload {
  @Override
  public MessageType type() {
    return MessageType.DASHBOARD_SUBSCRIBE;
  }
}
