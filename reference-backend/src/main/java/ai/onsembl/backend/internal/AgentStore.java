package ai.onsembl.backend.internal;

import ai.onsembl.backend.AgentState;
import ai.onsembl.protocol.AgentStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code agents} and {@code agent_status_history} tables. Methods that take a {@link
 * Connection} run inside the caller's transaction; every status write names the connection epoch it
 * comes from.
 */
public final class AgentStore {
  private static final String COLUMNS =
      "agent_id, name, agent_type, version, host_machine, status, connected_at,"
          + " last_seen, disconnect_reason, connection_epoch";

  /** One row of the status history. */
  public record HistoryEntry(
      String agentId, String status, String reason, long connectionEpoch, long at) {}

  private final Database db;

  public AgentStore(Database db) {
    this.db = db;
  }

  /** The agent ONLINE under {@code epoch}, with its announced details. */
  public AgentState markOnline(Connection c, AgentState agent, long now) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO agents ("
                + COLUMNS
                + ", updated_at)"
                + " VALUES (?,?,?,?,?,'ONLINE',?,?,NULL,?,?) ON CONFLICT(agent_id) DO UPDATE SET name=excluded.name,"
                + " agent_type=excluded.agent_type, version=excluded.version, host_machine=excluded.host_machine,"
                + " status='ONLINE', connected_at=excluded.connected_at, last_seen=excluded.last_seen,"
                + " disconnect_reason=NULL, connection_epoch=excluded.connection_epoch, updated_at=excluded.updated_at")) {
      ps.setString(1, agent.agentId());
      ps.setString(2, agent.name());
      ps.setString(3, agent.agentType());
      ps.setString(4, agent.version());
      ps.setString(5, agent.hostMachine());
      ps.setLong(6, now);
      ps.setLong(7, now);
      ps.setLong(8, agent.connectionEpoch());
      ps.setLong(9, now);
      ps.executeUpdate();
    }
    history(c, agent.agentId(), AgentStatus.ONLINE, null, agent.connectionEpoch(), now);
    return new AgentState(
        agent.agentId(),
        agent.name(),
        agent.agentType(),
        agent.version(),
        agent.hostMachine(),
        AgentStatus.ONLINE,
        now,
        now,
        null,
        agent.connectionEpoch());
  }

  /** One agent to mark OFFLINE: its session's epoch, the reason and when it was last seen. */
  record Offline(String agentId, long epoch, String reason, long lastSeen) {}

  /**
   * Marks each agent OFFLINE with its reason, but only while its row still belongs to its epoch (a
   * late close of a replaced socket changes nothing), and writes a history row for each one marked.
   * One transaction for many agents, each statement prepared once: a burst of 10,000 closes spent
   * most of its store time preparing the same statements again per agent. Returns, per row, whether
   * it was marked.
   */
  public boolean[] markOfflineAll(Connection c, List<Offline> rows, long now) throws SQLException {
    boolean[] marked = new boolean[rows.size()];
    try (PreparedStatement update =
            c.prepareStatement(
                "UPDATE agents SET status='OFFLINE', disconnect_reason=?,"
                    + " last_seen=?, updated_at=? WHERE agent_id=? AND connection_epoch=? AND status<>'OFFLINE'");
        PreparedStatement history = c.prepareStatement(HISTORY_INSERT)) {
      for (int i = 0; i < rows.size(); i++) {
        Offline o = rows.get(i);
        update.setString(1, o.reason());
        update.setLong(2, o.lastSeen());
        update.setLong(3, now);
        update.setString(4, o.agentId());
        update.setLong(5, o.epoch());
        if (update.executeUpdate() > 0) {
          marked[i] = true;
          history(history, o.agentId(), AgentStatus.OFFLINE, o.reason(), o.epoch(), now);
        }
      }
    }
    return marked;
  }

  /**
   * Startup cleanup: every agent not OFFLINE becomes OFFLINE with {@code reason}. Returns their
   * ids.
   */
  public List<String> markAllOffline(Connection c, String reason, long now) throws SQLException {
    List<String> ids = new ArrayList<>();
    List<Long> epochs = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT agent_id, connection_epoch FROM agents WHERE status<>'OFFLINE'")) {
      while (rs.next()) {
        ids.add(rs.getString(1));
        epochs.add(rs.getLong(2));
      }
    }
    for (int i = 0; i < ids.size(); i++) {
      try (PreparedStatement ps =
          c.prepareStatement(
              "UPDATE agents SET status='OFFLINE', disconnect_reason=?,"
                  + " updated_at=? WHERE agent_id=?")) {
        ps.setString(1, reason);
        ps.setLong(2, now);
        ps.setString(3, ids.get(i));
        ps.executeUpdate();
      }
      history(c, ids.get(i), AgentStatus.OFFLINE, reason, epochs.get(i), now);
    }
    return ids;
  }

  /** Writes in-memory {@code last_seen} values of live connections, each guarded by its epoch. */
  public void touch(Connection c, Map<String, long[]> lastSeenByAgent) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE agents SET last_seen=? WHERE agent_id=? AND connection_epoch=? AND status='ONLINE'")) {
      for (Map.Entry<String, long[]> e : lastSeenByAgent.entrySet()) {
        ps.setLong(1, e.getValue()[1]);
        ps.setString(2, e.getKey());
        ps.setLong(3, e.getValue()[0]);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static final String HISTORY_INSERT =
      "INSERT INTO agent_status_history (agent_id, status, reason, connection_epoch, at)"
          + " VALUES (?,?,?,?,?)";

  private static void history(
      Connection c, String agentId, AgentStatus status, String reason, long epoch, long at)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(HISTORY_INSERT)) {
      history(ps, agentId, status, reason, epoch, at);
    }
  }

  /** Binds and runs {@link #HISTORY_INSERT}, prepared once by the caller. */
  private static void history(
      PreparedStatement ps, String agentId, AgentStatus status, String reason, long epoch, long at)
      throws SQLException {
    ps.setString(1, agentId);
    ps.setString(2, status.name());
    if (reason == null) {
      ps.setNull(3, Types.VARCHAR);
    } else {
      ps.setString(3, reason);
    }
    ps.setLong(4, epoch);
    ps.setLong(5, at);
    ps.executeUpdate();
  }

  public Optional<AgentState> find(String agentId) {
    return db.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("SELECT " + COLUMNS + " FROM agents WHERE agent_id=?")) {
            ps.setString(1, agentId);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
          }
        });
  }

  public List<AgentState> all() {
    return db.read(
        c -> {
          List<AgentState> out = new ArrayList<>();
          try (Statement s = c.createStatement();
              ResultSet rs =
                  s.executeQuery("SELECT " + COLUMNS + " FROM agents ORDER BY agent_id")) {
            while (rs.next()) {
              out.add(row(rs));
            }
          }
          return out;
        });
  }

  /** Ids of agents the store says are ONLINE. */
  public List<String> onlineIds() {
    return db.read(
        c -> {
          List<String> out = new ArrayList<>();
          try (Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("SELECT agent_id FROM agents WHERE status='ONLINE'")) {
            while (rs.next()) {
              out.add(rs.getString(1));
            }
          }
          return out;
        });
  }

  /** Newest first, at most {@code limit} rows. */
  public List<HistoryEntry> history(String agentId, int limit) {
    return db.read(
        c -> {
          List<HistoryEntry> out = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT agent_id, status, reason, connection_epoch, at"
                      + " FROM agent_status_history WHERE agent_id=? ORDER BY id DESC LIMIT ?")) {
            ps.setString(1, agentId);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(
                    new HistoryEntry(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getLong(4),
                        rs.getLong(5)));
              }
            }
          }
          return out;
        });
  }

  /** The highest connection epoch ever stored, so epochs keep growing across restarts. */
  public long maxEpoch() {
    return db.read(
        c -> {
          try (Statement s = c.createStatement();
              ResultSet rs =
                  s.executeQuery("SELECT COALESCE(MAX(connection_epoch), 0) FROM agents")) {
            return rs.next() ? rs.getLong(1) : 0L;
          }
        });
  }

  private static AgentState row(ResultSet rs) throws SQLException {
    return new AgentState(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        AgentStatus.valueOf(rs.getString(6)),
        nullableLong(rs, 7),
        nullableLong(rs, 8),
        rs.getString(9),
        rs.getLong(10));
  }

  static Long nullableLong(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }
}
