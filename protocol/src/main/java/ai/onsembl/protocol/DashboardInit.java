package ai.onsembl.protocol;

/** DASHBOARD_INIT: a dashboard says who it is and what it subscribes to. */
public record DashboardInit(String userId, Subscriptions subscriptions) implements Payload {
  @Override
  public MessageType type() {
    return MessageType.DASHBOARD_INIT;
  }
}
