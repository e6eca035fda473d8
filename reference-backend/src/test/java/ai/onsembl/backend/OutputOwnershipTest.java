package ai.onsembl.backend;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.protocol.EnumValue;
import ai.onsembl.protocol.ErrorCode;
import ai.onsembl.protocol.ErrorMessage;
import ai.onsembl.protocol.MessageType;
import ai.onsembl.protocol.StreamType;
import ai.onsembl.protocol.TerminalOutput;
import ai.onsembl.protocol.TerminalStream;
import ai.onsembl.testing.ProtocolClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent writes output only for its own session or for a command the backend gave it; the store
 * keys output by agent too (issue: hostile clients, item 4).
 */
@Timeout(60)
class OutputOwnershipTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  @TempDir Path dir;
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private ReferenceBackend start(Path db) {
    ReferenceBackend b =
        ReferenceBackend.start(
            BackendConfig.defaults()
                .withPorts(0, 0)
                .withDatabaseFile(db)
                .withAgentToken("a")
                .withDashboardToken("d"));
    open.add(b);
    return b;
  }

  private ProtocolClient agent(ReferenceBackend b, String id) throws InterruptedException {
    ProtocolClient c = ProtocolClient.agent(URI.create(b.wsUrl() + "/ws/agent?token=a"), id);
    c.answerPings = true;
    open.add(c::close);
    return c;
  }

  private static List<String> output(ReferenceBackend b, String commandId) throws Exception {
    List<String> texts = new ArrayList<>();
    for (JsonNode o :
        Http.get(b.httpUrl(), "/api/commands/" + commandId, "d").json().get("output")) {
      texts.add(o.get("content").asText());
    }
    return texts;
  }

  @Test
  void outputForAnotherAgentsSessionIsForbiddenAndTheOwnersLineIsKept() throws Exception {
    ReferenceBackend b = start(dir.resolve("a.db"));
    ProtocolClient dashboard = ProtocolClient.open(URI.create(b.wsUrl() + "/ws/dashboard?token=d"));
    open.add(dashboard::close);
    ProtocolClient y = agent(b, "y");
    ProtocolClient x = agent(b, "x");

    x.send(new TerminalOutput("y", "x", EnumValue.of(StreamType.STDOUT), "SPOOF\n", 2, null));
    ErrorMessage err = x.expect(MessageType.ERROR, WAIT).payload(ErrorMessage.class);
    assertThat(err.code().value()).isEqualTo(ErrorCode.FORBIDDEN);

    y.send(new TerminalOutput("y", "y", EnumValue.of(StreamType.STDOUT), "line 1\n", 1, null));
    y.send(new TerminalOutput("y", "y", EnumValue.of(StreamType.STDOUT), "line 2\n", 2, null));
    Awaitility.await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(output(b, "y")).containsExactly("line 1\n", "line 2\n"));
    List<String> streamed = new ArrayList<>();
    for (var m : dashboard.collect(MessageType.TERMINAL_STREAM, Duration.ofMillis(500))) {
      streamed.add(m.payload(TerminalStream.class).content());
    }
    assertThat(streamed).doesNotContain("SPOOF\n");
    assertThat(output(b, "x")).isEmpty();
  }

  @Test
  void outputForACommandThatDoesNotExistIsForbiddenAndNeverAppearsLater() throws Exception {
    ReferenceBackend b = start(dir.resolve("b.db"));
    ProtocolClient x = agent(b, "x");
    x.send(
        new TerminalOutput("not-yet", "x", EnumValue.of(StreamType.STDOUT), "planted\n", 1, null));
    ErrorMessage err = x.expect(MessageType.ERROR, WAIT).payload(ErrorMessage.class);
    assertThat(err.code().value()).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(err.message()).contains("not-yet");

    // The connection stays usable: its own session output is still taken.
    x.send(new TerminalOutput("x", "x", EnumValue.of(StreamType.STDOUT), "mine\n", 1, null));
    Awaitility.await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(output(b, "x")).containsExactly("mine\n"));
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("b.db"));
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT count(*) FROM terminal_output WHERE command_id='not-yet'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getLong(1)).as("rows stored for the unknown command").isZero();
    }
  }

  @Test
  void aVersionOneStoreIsMigratedToOutputKeyedByAgentAndKeepsItsRows() throws Exception {
    Path db = dir.resolve("v1.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE agents (agent_id TEXT PRIMARY KEY, name TEXT, agent_type TEXT, version TEXT,"
              + " host_machine TEXT, status TEXT NOT NULL, connection_epoch INTEGER NOT NULL DEFAULT 0, connected_at"
              + " INTEGER, last_seen INTEGER, disconnect_reason TEXT, updated_at INTEGER NOT NULL)");
      s.execute(
          "CREATE TABLE commands (command_id TEXT PRIMARY KEY, agent_id TEXT NOT NULL, content TEXT NOT NULL,"
              + " status TEXT NOT NULL, error TEXT, exit_code INTEGER, source TEXT, created_at INTEGER NOT NULL,"
              + " updated_at INTEGER NOT NULL, completed_at INTEGER)");
      s.execute("CREATE INDEX commands_by_agent ON commands(agent_id, created_at)");
      s.execute("CREATE INDEX commands_by_status ON commands(status)");
      s.execute(
          "CREATE TABLE agent_status_history (id INTEGER PRIMARY KEY AUTOINCREMENT, agent_id TEXT NOT NULL,"
              + " status TEXT NOT NULL, reason TEXT, connection_epoch INTEGER NOT NULL, at INTEGER NOT NULL)");
      s.execute("CREATE INDEX history_by_agent ON agent_status_history(agent_id, id)");
      s.execute(
          "CREATE TABLE terminal_output (command_id TEXT NOT NULL, sequence INTEGER NOT NULL,"
              + " agent_id TEXT NOT NULL, stream_type TEXT NOT NULL, content TEXT NOT NULL, received_at INTEGER NOT NULL,"
              + " PRIMARY KEY (command_id, sequence))");
      long now =
          System.currentTimeMillis(); // finished just now: within --output-retention, so its output
      // stays
      s.execute(
          "INSERT INTO commands VALUES ('c1','old','make','COMPLETED',NULL,0,'rest',"
              + now
              + ","
              + now
              + ","
              + now
              + ")");
      s.execute("INSERT INTO terminal_output VALUES ('c1',1,'old','STDOUT','kept\n',1)");
      s.execute("PRAGMA user_version = 1");
    }
    ReferenceBackend b = start(db);
    assertThat(output(b, "c1")).containsExactly("kept\n");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT name FROM pragma_table_info('terminal_output') WHERE pk > 0"
                    + " ORDER BY pk")) {
      List<String> key = new ArrayList<>();
      while (rs.next()) {
        key.add(rs.getString(1));
      }
      assertThat(key).containsExactly("agent_id", "command_id", "sequence");
    }
  }
}
