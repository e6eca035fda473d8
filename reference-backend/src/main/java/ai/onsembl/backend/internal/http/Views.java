package ai.onsembl.backend.internal.http;

import ai.onsembl.backend.AgentState;
import ai.onsembl.backend.internal.AgentStore.HistoryEntry;
import ai.onsembl.backend.internal.CommandStore.CommandRecord;
import ai.onsembl.backend.internal.CommandStore.OutputChunk;
import java.util.LinkedHashMap;
import java.util.Map;

/** JSON shapes of the REST API; field names as in the protocol, times as epoch ms. */
final class Views {
  private Views() {}

  static Map<String, Object> agent(AgentState a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("agentId", a.agentId());
    m.put("name", a.name());
    m.put("agentType", a.agentType());
    m.put("version", a.version());
    m.put("hostMachine", a.hostMachine());
    m.put("status", a.status().name());
    m.put("connectedAt", a.connectedAt());
    m.put("lastSeen", a.lastSeen());
    m.put("disconnectReason", a.disconnectReason());
    return m;
  }

  static Map<String, Object> history(HistoryEntry h) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", h.status());
    m.put("reason", h.reason());
    m.put("timestamp", h.at());
    m.put("connectionEpoch", h.connectionEpoch());
    return m;
  }

  static Map<String, Object> command(CommandRecord c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("commandId", c.commandId());
    m.put("agentId", c.agentId());
    m.put("content", c.content());
    m.put("status", c.status().name());
    m.put("error", c.error());
    m.put("exitCode", c.exitCode());
    m.put("source", c.source());
    m.put("createdAt", c.createdAt());
    m.put("updatedAt", c.updatedAt());
    m.put("completedAt", c.completedAt());
    return m;
  }

  static Map<String, Object> output(OutputChunk o) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sequence", o.sequence());
    m.put("streamType", o.streamType());
    m.put("content", o.content());
    m.put("timestamp", o.receivedAt());
    return m;
  }
}
