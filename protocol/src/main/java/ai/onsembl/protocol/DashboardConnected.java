package ai.onsembl.protocol;

import java.util.List;

/** DASHBOARD_CONNECTED: the full snapshot of agents, sent on every dashboard (re)connect. */
public record DashboardConnected(List<AgentSummary> agents, Long timestamp) implements Payload {

  public DashboardConnected {
    agents = agents == null ? List.of() : List.copyOf(agents);
  }

  @Override
  public MessageType type() {
    return MessageType.DASHBOARD_CONNECTED;
  }
}
