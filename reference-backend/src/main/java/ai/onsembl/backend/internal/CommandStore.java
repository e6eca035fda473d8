package ai.onsembl.backend.internal;

import ai.onsembl.protocol.CommandStatus;
import ai.onsembl.protocol.ProtocolCodec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The {@code commands} and {@code terminal_output} tables. */
public final class CommandStore {
  /** Statuses after which a command never changes again. */
  public static final Set<CommandStatus> TERMINAL =
      Set.of(CommandStatus.COMPLETED, CommandStatus.FAILED, CommandStatus.CANCELLED);

  private static final String COLUMNS =
      "command_id, agent_id, content, status, error, exit_code, source, created_at, updated_at, completed_at";

  /** One command. Times are epoch ms. */
  public record CommandRecord(
      String commandId,
      String agentId,
      String content,
      CommandStatus status,
      String error,
      Integer exitCode,
      String source,
      long createdAt,
      long updatedAt,
      Long completedAt) {}

  /** One stored chunk of output. */
  public record OutputChunk(
      String commandId,
      long sequence,
      String agentId,
      String streamType,
      String content,
      long receivedAt) {}

  private final Database db;

  public CommandStore(Database db) {
    this.db = db;
  }

  public void insert(Connection c, CommandRecord r) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO commands (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?)")) {
      ps.setString(1, r.commandId());
      ps.setString(2, r.agentId());
      ps.setString(3, r.content());
      ps.setString(4, r.status().name());
      ps.setString(5, r.error());
      ps.setObject(6, r.exitCode());
      ps.setString(7, r.source());
      ps.setLong(8, r.createdAt());
      ps.setLong(9, r.updatedAt());
      ps.setObject(10, r.completedAt());
      ps.executeUpdate();
    }
  }

  /** Moves a command that is not finished yet to {@code status}. Returns whether it changed. */
  public boolean transition(
      Connection c,
      String commandId,
      CommandStatus status,
      String error,
      Integer exitCode,
      long now)
      throws SQLException {
    boolean terminal = TERMINAL.contains(status);
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE commands SET status=?, error=COALESCE(?, error),"
                + " exit_code=COALESCE(?, exit_code), updated_at=?, completed_at=? WHERE command_id=? AND status<>?"
                + " AND status NOT IN ('COMPLETED','FAILED','CANCELLED')")) {
      ps.setString(1, status.name());
      ps.setString(2, error);
      ps.setObject(3, exitCode);
      ps.setLong(4, now);
      ps.setObject(5, terminal ? now : null);
      ps.setString(6, commandId);
      ps.setString(7, status.name());
      return ps.executeUpdate() > 0;
    }
  }

  /** Cancels every PENDING, QUEUED and EXECUTING command (startup cleanup). Returns their ids. */
  public List<String> cancelAllOpen(Connection c, String error, long now) throws SQLException {
    List<String> ids = new ArrayList<>();
    String where = " WHERE status IN ('PENDING','QUEUED','EXECUTING')";
    try (PreparedStatement ps = c.prepareStatement("SELECT command_id FROM commands" + where);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE commands SET status='CANCELLED', error=?, updated_at=?, completed_at=?"
                + where)) {
      ps.setString(1, error);
      ps.setLong(2, now);
      ps.setLong(3, now);
      ps.executeUpdate();
    }
    return ids;
  }

  /**
   * Cancels the open commands of many agents at once: one query for the open commands (by status,
   * which is indexed) and one prepared update per command found. Returns the cancelled command ids
   * by agent; agents without open commands are absent.
   */
  public Map<String, List<String>> cancelOpenFor(
      Connection c, Set<String> agentIds, String error, long now) throws SQLException {
    Map<String, List<String>> byAgent = new HashMap<>();
    if (agentIds.isEmpty()) {
      return byAgent;
    }
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT command_id, agent_id FROM commands"
                    + " WHERE status IN ('PENDING','QUEUED','EXECUTING')");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String agentId = rs.getString(2);
        if (agentIds.contains(agentId)) {
          byAgent.computeIfAbsent(agentId, a -> new ArrayList<>()).add(rs.getString(1));
        }
      }
    }
    if (byAgent.isEmpty()) {
      return byAgent;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE commands SET status='CANCELLED', error=?, updated_at=?, completed_at=?"
                + " WHERE command_id=? AND status IN ('PENDING','QUEUED','EXECUTING')")) {
      for (List<String> ids : byAgent.values()) {
        for (String id : ids) {
          ps.setString(1, error);
          ps.setLong(2, now);
          ps.setLong(3, now);
          ps.setString(4, id);
          ps.executeUpdate();
        }
      }
    }
    return byAgent;
  }

  /** Stores a chunk once; returns false when {@code (commandId, sequence)} was already stored. */
  public boolean appendOutput(Connection c, OutputChunk chunk) throws SQLException {
    return appendOutput(c, chunk, Long.MAX_VALUE);
  }

  /**
   * Stores a chunk once (false when {@code (commandId, sequence)} was already stored) and keeps the
   * command's output within {@code maxBytes} (UTF-8): the oldest chunks are deleted and counted as
   * dropped.
   */
  public boolean appendOutput(Connection c, OutputChunk chunk, long maxBytes) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT OR IGNORE INTO terminal_output"
                + " (command_id, sequence, agent_id, stream_type, content, received_at) VALUES (?,?,?,?,?,?)")) {
      ps.setString(1, chunk.commandId());
      ps.setLong(2, chunk.sequence());
      ps.setString(3, chunk.agentId());
      ps.setString(4, chunk.streamType());
      ps.setString(5, chunk.content());
      ps.setLong(6, chunk.receivedAt());
      if (ps.executeUpdate() == 0) {
        return false;
      }
    }
    long stored;
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO output_totals (agent_id, command_id, stored_bytes)"
                + " VALUES (?,?,?) ON CONFLICT (agent_id, command_id) DO UPDATE SET stored_bytes=stored_bytes+excluded.stored_bytes"
                + " RETURNING stored_bytes")) {
      ps.setString(1, chunk.agentId());
      ps.setString(2, chunk.commandId());
      ps.setLong(3, utf8Length(chunk.content()));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        stored = rs.getLong(1);
      }
    }
    if (stored > maxBytes) {
      dropOldest(c, chunk.agentId(), chunk.commandId(), stored - maxBytes);
    }
    return true;
  }

  /** Deletes the oldest chunks of a command until at least {@code excess} bytes are gone. */
  private static void dropOldest(Connection c, String agentId, String commandId, long excess)
      throws SQLException {
    long bytes = 0;
    long chunks = 0;
    long lastSequence = Long.MIN_VALUE;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT sequence, length(CAST(content AS BLOB)) FROM terminal_output"
                + " WHERE agent_id=? AND command_id=? ORDER BY sequence")) {
      ps.setString(1, agentId);
      ps.setString(2, commandId);
      try (ResultSet rs = ps.executeQuery()) {
        while (bytes < excess && rs.next()) {
          lastSequence = rs.getLong(1);
          bytes += rs.getLong(2);
          chunks++;
        }
      }
    }
    if (chunks == 0) {
      return;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "DELETE FROM terminal_output WHERE agent_id=? AND command_id=? AND sequence<=?")) {
      ps.setString(1, agentId);
      ps.setString(2, commandId);
      ps.setLong(3, lastSequence);
      ps.executeUpdate();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE output_totals SET stored_bytes=stored_bytes-?,"
                + " dropped_bytes=dropped_bytes+?, dropped_chunks=dropped_chunks+? WHERE agent_id=? AND command_id=?")) {
      ps.setLong(1, bytes);
      ps.setLong(2, bytes);
      ps.setLong(3, chunks);
      ps.setString(4, agentId);
      ps.setString(5, commandId);
      ps.executeUpdate();
    }
  }

  /** How much of a command's output was dropped by the cap: {bytes, chunks}, both 0 when none. */
  public long[] dropped(String commandId) {
    return db.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT COALESCE(SUM(dropped_bytes), 0),"
                      + " COALESCE(SUM(dropped_chunks), 0) FROM output_totals WHERE command_id=?"
                      + " AND agent_id=COALESCE((SELECT agent_id FROM commands WHERE command_id=?), ?)")) {
            ps.setString(1, commandId);
            ps.setString(2, commandId);
            ps.setString(3, commandId);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              return new long[] {rs.getLong(1), rs.getLong(2)};
            }
          }
        });
  }

  /**
   * Deletes the output of commands that finished before {@code finishedBefore}; returns the chunks
   * deleted.
   */
  public int pruneOutput(Connection c, long finishedBefore) throws SQLException {
    String finished =
        "SELECT agent_id, command_id FROM commands WHERE completed_at IS NOT NULL AND completed_at<?";
    int n;
    try (PreparedStatement ps =
        c.prepareStatement(
            "DELETE FROM terminal_output WHERE (agent_id, command_id) IN (" + finished + ")")) {
      ps.setLong(1, finishedBefore);
      n = ps.executeUpdate();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "DELETE FROM output_totals WHERE (agent_id, command_id) IN (" + finished + ")")) {
      ps.setLong(1, finishedBefore);
      ps.executeUpdate();
    }
    return n;
  }

  /** UTF-8 length without encoding (an ASCII chunk is counted a word at a time). */
  static long utf8Length(String s) {
    return ProtocolCodec.utf8Length(s);
  }

  public Optional<CommandRecord> find(String commandId) {
    return db.read(c -> find(c, commandId));
  }

  public Optional<CommandRecord> find(Connection c, String commandId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT " + COLUMNS + " FROM commands WHERE command_id=?")) {
      ps.setString(1, commandId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(row(rs)) : Optional.empty();
      }
    }
  }

  /** Newest first; all agents when {@code agentId} is null. */
  public List<CommandRecord> list(String agentId, int limit) {
    return db.read(
        c -> {
          List<CommandRecord> out = new ArrayList<>();
          String sql =
              "SELECT "
                  + COLUMNS
                  + " FROM commands"
                  + (agentId == null ? "" : " WHERE agent_id=?")
                  + " ORDER BY created_at DESC, rowid DESC LIMIT ?";
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (agentId != null) {
              ps.setString(i++, agentId);
            }
            ps.setInt(i, limit);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(row(rs));
              }
            }
          }
          return out;
        });
  }

  /** The command's output in sequence order (only what its own agent sent). */
  public List<OutputChunk> output(String commandId, int limit) {
    return db.read(
        c -> {
          List<OutputChunk> out = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT command_id, sequence, agent_id, stream_type, content,"
                      + " received_at FROM terminal_output WHERE command_id=?"
                      // the command's own agent only (session output: the agent whose id it is)
                      + " AND agent_id=COALESCE((SELECT agent_id FROM commands WHERE command_id=?), ?)"
                      + " ORDER BY sequence LIMIT ?")) {
            ps.setString(1, commandId);
            ps.setString(2, commandId);
            ps.setString(3, commandId);
            ps.setInt(4, limit);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(
                    new OutputChunk(
                        rs.getString(1),
                        rs.getLong(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getLong(6)));
              }
            }
          }
          return out;
        });
  }

  private static CommandRecord row(ResultSet rs) throws SQLException {
    Long exit = AgentStore.nullableLong(rs, 6);
    return new CommandRecord(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        CommandStatus.valueOf(rs.getString(4)),
        rs.getString(5),
        exit == null ? null : exit.intValue(),
        rs.getString(7),
        rs.getLong(8),
        rs.getLong(9),
        AgentStore.nullableLong(rs, 10));
  }
}
