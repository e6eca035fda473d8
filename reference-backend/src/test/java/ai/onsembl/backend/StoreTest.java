package ai.onsembl.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onsembl.testing.ProtocolClient;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite file as another reader sees it: WAL, schema version, last_seen written in batches. */
@Timeout(60)
class StoreTest {
  @TempDir Path dir;

  private static long queryLong(Path db, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : -1;
    }
  }

  private static String queryString(Path db, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  @Test
  void fileIsWalWithVersionedSchemaAndLastSeenIsFlushedOncePerIntervalWhileOnline()
      throws Exception {
    Path db = dir.resolve("nested").resolve("store.db");
    BackendConfig config =
        BackendConfig.defaults()
            .withPorts(0, 0)
            .withDatabaseFile(db)
            .withAgentToken("a")
            .withDashboardToken("d")
            .withHeartbeat(Duration.ofMillis(200), Duration.ofSeconds(5));
    try (ReferenceBackend backend = ReferenceBackend.start(config)) {
      assertThat(queryString(db, "PRAGMA journal_mode")).isEqualTo("wal");
      assertThat(queryLong(db, "PRAGMA user_version")).isEqualTo(5);
      ProtocolClient agent =
          ProtocolClient.agent(URI.create(backend.wsUrl() + "/ws/agent?token=a"), "ls-1");
      try {
        agent.answerPings = true;
        long connectedAt = queryLong(db, "SELECT connected_at FROM agents WHERE agent_id='ls-1'");
        await()
            .atMost(Duration.ofSeconds(5))
            .untilAsserted(
                () ->
                    assertThat(queryLong(db, "SELECT last_seen FROM agents WHERE agent_id='ls-1'"))
                        .as("last_seen written from PONGs while ONLINE")
                        .isGreaterThan(connectedAt));
        assertThat(queryString(db, "SELECT status FROM agents WHERE agent_id='ls-1'"))
            .isEqualTo("ONLINE");
      } finally {
        agent.close();
      }
    }
  }
}
