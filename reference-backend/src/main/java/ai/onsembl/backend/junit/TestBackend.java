package ai.onsembl.backend.junit;

import ai.onsembl.backend.AgentState;
import ai.onsembl.backend.BackendConfig;
import ai.onsembl.backend.ReferenceBackend;
import ai.onsembl.backend.junit.internal.TestBackendImpl;
import ai.onsembl.protocol.AgentStatus;
import ai.onsembl.protocol.MessageType;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A started reference backend for tests of an agent: its addresses and tokens, the frames agents
 * sent it (like MockWebServer's {@code takeRequest()}), commands and controls sent to agents,
 * status waits, and fault injection. With JUnit 5, {@link ReferenceBackendTest} injects one per
 * test and closes it; without, {@link #start()} returns one to close yourself:
 *
 * <pre>{@code
 * try (TestBackend backend = TestBackend.start()) {
 *   startMyAgent(backend.agentUri("a1"));
 *   backend.awaitAgentStatus("a1", AgentStatus.ONLINE, Duration.ofSeconds(5));
 *   String id = backend.sendCommand("a1", "echo hi");
 *   RecordedFrame done = backend.takeFrame(MessageType.COMMAND_COMPLETE, Duration.ofSeconds(5));
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} is idempotent and bounded.
 */
public interface TestBackend extends AutoCloseable {

  /**
   * A started backend on {@link BackendConfig#forTests()}: free ports, {@code :memory:}, generated
   * tokens.
   */
  static TestBackend start() {
    return start(BackendConfig.forTests());
  }

  /**
   * A started backend on {@code config} (tokens generated where it has no credential), recording
   * every agent frame. Close it when done.
   */
  static TestBackend start(BackendConfig config) {
    return TestBackendImpl.start(config, null, false);
  }

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

  /**
   * The next frame an agent sent, waiting as long as it takes (interruptible), like {@code
   * takeRequest()}.
   */
  RecordedFrame takeFrame() throws InterruptedException;

  /** The next frame an agent sent, waiting at most {@code timeout}; null when none came. */
  RecordedFrame takeFrame(Duration timeout) throws InterruptedException;

  /**
   * The next frame of {@code type}, skipping others, waiting at most {@code timeout} in all; null
   * when none.
   */
  RecordedFrame takeFrame(MessageType type, Duration timeout) throws InterruptedException;

  /** Frames recorded and not yet taken. */
  int frameCount();

  /**
   * Waits until the store shows {@code agentId} with {@code status}; returns that state, or fails
   * with an {@link AssertionError} saying what it was instead.
   */
  AgentState awaitAgentStatus(String agentId, AgentStatus status, Duration timeout);

  /** Every refusal so far: "connection #N (agent ID): CODE message", in order. */
  java.util.List<String> refusals();

  /**
   * Sends COMMAND_REQUEST {@code content} to the connected agent, as a dashboard's command would go
   * (stored, broadcast to dashboards as PENDING); returns the new command id.
   *
   * @throws IllegalStateException naming the reason when the backend refuses (agent unknown or
   *     OFFLINE, empty content)
   */
  String sendCommand(String agentId, String content);

  /** As {@link #sendCommand(String, String)} with the request's mode, time limit and priority. */
  String sendCommand(String agentId, String content, CommandOptions options);

  /**
   * Sends COMMAND_CANCEL for a command sent earlier to its agent.
   *
   * @throws IllegalStateException naming the reason (no such command, already finished, agent
   *     OFFLINE)
   */
  void cancel(String commandId);

  /**
   * Sends AGENT_CONTROL {@code action} (STOP, RESTART, PAUSE or RESUME) to the connected agent.
   *
   * @throws IllegalStateException naming the reason (unknown action, agent unknown or OFFLINE)
   */
  void control(String agentId, String action);

  /** Injects a fault. */
  void apply(ServerEffect effect);

  /**
   * Closes the backend gracefully and starts a new one on the same database file and the same
   * ports. Needs {@link ReferenceBackendTest#fileDatabase()}.
   */
  void restart();

  /** Stops the backend (agents see 1001) and deletes its temporary files. Idempotent. */
  @Override
  void close();
}
