package ai.onsembl.backend.junit;

import ai.onsembl.backend.AgentState;
import ai.onsembl.backend.BackendConfig;
import ai.onsembl.backend.ReferenceBackend;
import ai.onsembl.protocol.AgentStatus;
import ai.onsembl.protocol.MessageType;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A started reference backend owned by one test (see {@link ReferenceBackendTest}): its addresses and
 * tokens, the frames agents sent it, status waits, and fault injection. Closed after the test.
 */
public interface TestBackend {
  /** The running backend; after {@link #restart()} a new instance. */
  ReferenceBackend backend();

  /** The configuration, with the bound ports once started. */
  BackendConfig config();

  int wsPort();

  int httpPort();

  /** {@code ws://127.0.0.1:PORT}. */
  String wsUrl();

  /** {@code http://127.0.0.1:PORT}. */
  String httpUrl();

  String agentToken();

  String dashboardToken();

  /** {@code ws://…/ws/agent?agentId=ID&token=AGENT_TOKEN}. */
  URI agentUri(String agentId);

  /** {@code ws://…/ws/dashboard?token=DASHBOARD_TOKEN}. */
  URI dashboardUri();

  /** The SQLite file, or null for {@code :memory:}. */
  Path databaseFile();

  /** The next frame an agent sent, waiting at most {@code timeout}; null when none came. */
  RecordedFrame takeFrame(Duration timeout) throws InterruptedException;

  /** The next frame of {@code type}, skipping others, waiting at most {@code timeout} in all; null when none. */
  RecordedFrame takeFrame(MessageType type, Duration timeout) throws InterruptedException;

  /** Frames recorded and not yet taken. */
  int frameCount();

  /**
   * Waits until the store shows {@code agentId} with {@code status}; returns that state, or fails with an
   * {@link AssertionError} saying what it was instead.
   */
  AgentState awaitAgentStatus(String agentId, AgentStatus status, Duration timeout);

  /** Every refusal so far: "connection #N (agent ID): CODE message", in order. */
  java.util.List<String> refusals();

  /** Injects a fault. */
  void apply(ServerEffect effect);

  /**
   * Closes the backend gracefully and starts a new one on the same database file and the same ports.
   * Needs {@link ReferenceBackendTest#fileDatabase()}.
   */
  void restart();
}
