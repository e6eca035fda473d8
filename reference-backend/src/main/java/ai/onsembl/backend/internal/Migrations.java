package ai.onsembl.backend.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** Versioned schema migrations, tracked in SQLite's {@code PRAGMA user_version}. Append only. */
final class Migrations {
  private static final List<List<String>> STEPS =
      List.of(
          List.of(
              "CREATE TABLE agents ("
                  + " agent_id TEXT PRIMARY KEY, name TEXT, agent_type TEXT, version TEXT, host_machine TEXT,"
                  + " status TEXT NOT NULL, connection_epoch INTEGER NOT NULL DEFAULT 0, connected_at INTEGER,"
                  + " last_seen INTEGER, disconnect_reason TEXT, updated_at INTEGER NOT NULL)",
              "CREATE TABLE commands ("
                  + " command_id TEXT PRIMARY KEY, agent_id TEXT NOT NULL, content TEXT NOT NULL, status TEXT NOT NULL,"
                  + " error TEXT, exit_code INTEGER, source TEXT, created_at INTEGER NOT NULL,"
                  + " updated_at INTEGER NOT NULL, completed_at INTEGER)",
              "CREATE INDEX commands_by_agent ON commands(agent_id, created_at)",
              "CREATE INDEX commands_by_status ON commands(status)",
              "CREATE TABLE agent_status_history ("
                  + " id INTEGER PRIMARY KEY AUTOINCREMENT, agent_id TEXT NOT NULL, status TEXT NOT NULL, reason TEXT,"
                  + " connection_epoch INTEGER NOT NULL, at INTEGER NOT NULL)",
              "CREATE INDEX history_by_agent ON agent_status_history(agent_id, id)",
              "CREATE TABLE terminal_output ("
                  + " command_id TEXT NOT NULL, sequence INTEGER NOT NULL, agent_id TEXT NOT NULL,"
                  + " stream_type TEXT NOT NULL, content TEXT NOT NULL, received_at INTEGER NOT NULL,"
                  + " PRIMARY KEY (command_id, sequence))"),
          List.of(
              "CREATE TABLE device_codes ("
                  + " device_code_hash TEXT PRIMARY KEY, user_code TEXT NOT NULL UNIQUE, client_id TEXT, scope TEXT,"
                  + " created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, interval_s INTEGER NOT NULL,"
                  + " last_poll INTEGER, approved_by TEXT, approved_at INTEGER, consumed INTEGER NOT NULL DEFAULT 0)",
              "CREATE TABLE refresh_tokens ("
                  + " token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, scope TEXT, created_at INTEGER NOT NULL,"
                  + " expires_at INTEGER NOT NULL, used_at INTEGER)",
              "CREATE TABLE backend_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)"),
          // 3: output is keyed by its agent too, so one agent's chunk can never take another's
          // (command, sequence).
          List.of(
              "CREATE TABLE terminal_output_v2 ("
                  + " agent_id TEXT NOT NULL, command_id TEXT NOT NULL, sequence INTEGER NOT NULL,"
                  + " stream_type TEXT NOT NULL, content TEXT NOT NULL, received_at INTEGER NOT NULL,"
                  + " PRIMARY KEY (agent_id, command_id, sequence))",
              "INSERT INTO terminal_output_v2 (agent_id, command_id, sequence, stream_type, content, received_at)"
                  + " SELECT agent_id, command_id, sequence, stream_type, content, received_at FROM terminal_output",
              "DROP TABLE terminal_output",
              "ALTER TABLE terminal_output_v2 RENAME TO terminal_output",
              "CREATE INDEX output_by_command ON terminal_output(command_id, sequence)"),
          // 4: page sessions signed out before they expire.
          List.of(
              "CREATE TABLE revoked_sessions (nonce TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)"),
          // 5: output kept and dropped per command (--max-output-per-command), maintained with
          // every chunk.
          List.of(
              "CREATE TABLE output_totals ("
                  + " agent_id TEXT NOT NULL, command_id TEXT NOT NULL, stored_bytes INTEGER NOT NULL,"
                  + " dropped_bytes INTEGER NOT NULL DEFAULT 0, dropped_chunks INTEGER NOT NULL DEFAULT 0,"
                  + " PRIMARY KEY (agent_id, command_id))",
              "INSERT INTO output_totals (agent_id, command_id, stored_bytes)"
                  + " SELECT agent_id, command_id, SUM(length(CAST(content AS BLOB))) FROM terminal_output"
                  + " GROUP BY agent_id, command_id"));

  private Migrations() {}

  /** The schema version this build writes. */
  static int latest() {
    return STEPS.size();
  }

  static Void apply(Connection c) throws SQLException {
    int current;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA user_version")) {
      current = rs.next() ? rs.getInt(1) : 0;
    }
    if (current > STEPS.size()) {
      throw new SQLException(
          "database schema version "
              + current
              + " is newer than this backend's "
              + STEPS.size()
              + "; use a newer onsembl-agent");
    }
    try (Statement s = c.createStatement()) {
      for (int v = current; v < STEPS.size(); v++) {
        for (String sql : STEPS.get(v)) {
          s.execute(sql);
        }
        s.execute("PRAGMA user_version = " + (v + 1));
      }
    }
    return null;
  }
}
