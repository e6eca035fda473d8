package ai.onsembl.protocol;

/**
 * What a dashboard wants to hear about: agents and commands (each a {@link Selection}: an array of
 * ids or the web frontend's {@code {"all": true}} object), terminals, traces.
 */
public record Subscriptions(
    Selection agents, Selection commands, Boolean terminals, Boolean traces) {

  public static Subscriptions all() {
    return new Subscriptions(
        Selection.everything(), Selection.ofIds(java.util.List.of()), true, false);
  }

  /** True when {@code agentId} is covered by the agent subscriptions (absent means all). */
  public boolean coversAgent(String agentId) {
    return agents == null || agents.covers(agentId);
  }
}
