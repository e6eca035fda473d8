package ai.onsembl.backend.internal;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The live agent connections: at most one current session per agent id. */
public final class Registry {
  private final Map<String, AgentSession> sessions = new ConcurrentHashMap<>();

  /** Makes {@code s} current; returns the session it replaces, or null. */
  AgentSession put(AgentSession s) {
    return sessions.put(s.agentId, s);
  }

  /**
   * Removes {@code s} only while it is still current: a replaced session never removes its
   * successor.
   */
  boolean removeIfCurrent(AgentSession s) {
    return sessions.remove(s.agentId, s);
  }

  boolean isCurrent(AgentSession s) {
    return sessions.get(s.agentId) == s;
  }

  AgentSession current(String agentId) {
    return agentId == null ? null : sessions.get(agentId);
  }

  Collection<AgentSession> all() {
    return List.copyOf(sessions.values());
  }

  int size() {
    return sessions.size();
  }
}
