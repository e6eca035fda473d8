package ai.onsembl.protocol;

import java.util.List;

/** What a dashboard wants to hear about: agent ids (or "*"), command ids, terminals, traces. */
public record Subscriptions(List<String> agents, List<String> commands, Boolean terminals, Boolean traces) {

  public Subscriptions {
    agents = agents == null ? null : List.copyOf(agents);
    commands = commands == null ? null : List.copyOf(commands);
  }

  public static Subscriptions all() {
    return new Subscriptions(List.of("*"), List.of(), true, false);
  }

  /** True when {@code agentId} is covered by the agent subscriptions (absent means all). */
  public boolean coversAgent(String agentId) {
    return agents == null || agents.contains("*") || agents.contains(agentId);
  }
}
