package ai.onsembl.backend.junit.internal;

import ai.onsembl.backend.AgentState;
import ai.onsembl.backend.BackendConfig;
import ai.onsembl.backend.ReferenceBackend;
import ai.onsembl.backend.internal.BackendAccess;
import ai.onsembl.backend.internal.BackendApi;
import ai.onsembl.backend.internal.BackendHooks;
import ai.onsembl.backend.internal.Outcome;
import ai.onsembl.backend.junit.CommandOptions;
import ai.onsembl.backend.junit.RecordedFrame;
import ai.onsembl.backend.junit.ServerEffect;
import ai.onsembl.backend.junit.TestBackend;
import ai.onsembl.protocol.AgentStatus;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.MessageType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketImpl;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The handle behind {@link TestBackend}; also the backend's hooks, so effects apply without a
 * restart.
 */
@SuppressWarnings("deprecation") // CloseableResource: still what JUnit before 5.13 closes
public final class TestBackendImpl
    implements TestBackend, BackendHooks, ExtensionContext.Store.CloseableResource, AutoCloseable {
  private static final Duration POLL = Duration.ofMillis(10);

  private final BlockingQueue<RecordedFrame> frames = new LinkedBlockingQueue<>();
  private final java.util.List<String> refused = new java.util.concurrent.CopyOnWriteArrayList<>();
  final boolean failOnRefusedFrames;
  private final Set<String> notPonging = ConcurrentHashMap.newKeySet();
  private final Set<String> notAnswering = ConcurrentHashMap.newKeySet();
  private final Path tempDir;
  private volatile Duration ackDelay = Duration.ZERO;
  private volatile BackendConfig config;
  private volatile ReferenceBackend backend;
  private volatile boolean closed;

  private TestBackendImpl(BackendConfig config, Path tempDir, boolean failOnRefusedFrames) {
    this.failOnRefusedFrames = failOnRefusedFrames;
    this.config = config;
    this.tempDir = tempDir;
    this.backend = BackendAccess.bridge().create(config, this).start();
    this.config = backend.config().withPorts(backend.wsPort(), backend.httpPort());
  }

  /** A started backend; {@code tempDir} (or null) is deleted on close. */
  public static TestBackendImpl start(
      BackendConfig config, Path tempDir, boolean failOnRefusedFrames) {
    return new TestBackendImpl(
        java.util.Objects.requireNonNull(config, "config"), tempDir, failOnRefusedFrames);
  }

  @Override
  public ReferenceBackend backend() {
    return backend;
  }

  @Override
  public BackendConfig config() {
    return config;
  }

  @Override
  public int wsPort() {
    return backend.wsPort();
  }

  @Override
  public int httpPort() {
    return backend.httpPort();
  }

  @Override
  public String wsUrl() {
    return backend.wsUrl();
  }

  @Override
  public String httpUrl() {
    return backend.httpUrl();
  }

  @Override
  public String agentToken() {
    return config.agentToken();
  }

  @Override
  public String dashboardToken() {
    return config.dashboardToken();
  }

  @Override
  public URI agentUri(String agentId) {
    return URI.create(
        wsUrl() + "/ws/agent?agentId=" + enc(agentId) + "&token=" + enc(agentToken()));
  }

  @Override
  public URI dashboardUri() {
    return URI.create(wsUrl() + "/ws/dashboard?token=" + enc(dashboardToken()));
  }

  @Override
  public Path databaseFile() {
    return config.inMemory() ? null : Path.of(config.databasePath());
  }

  @Override
  public RecordedFrame takeFrame() throws InterruptedException {
    return frames.take();
  }

  @Override
  public RecordedFrame takeFrame(Duration timeout) throws InterruptedException {
    return frames.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public RecordedFrame takeFrame(MessageType type, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      RecordedFrame f = frames.poll(left, TimeUnit.NANOSECONDS);
      if (f == null || f.type() == type) {
        return f;
      }
    }
  }

  @Override
  public int frameCount() {
    return frames.size();
  }

  @Override
  public AgentState awaitAgentStatus(String agentId, AgentStatus status, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Optional<AgentState> last = Optional.empty();
    while (true) {
      try {
        last = backend.agent(agentId);
      } catch (IllegalStateException e) {
        // between the two halves of restart(): look again
      }
      if (last.isPresent() && last.get().status() == status) {
        return last.get();
      }
      if (System.nanoTime() >= deadline) {
        throw new AssertionError(
            "Expected agent "
                + agentId
                + " to be "
                + status
                + " within "
                + timeout.toMillis()
                + " ms but "
                + last.map(
                        a ->
                            "it was "
                                + a.status()
                                + (a.disconnectReason() == null
                                    ? ""
                                    : " (" + a.disconnectReason() + ")"))
                    .orElse("the backend has never seen it"));
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(
            "interrupted while waiting for agent " + agentId + " to be " + status, e);
      }
    }
  }

  @Override
  public void apply(ServerEffect effect) {
    if (effect instanceof ServerEffect.DropConnection d) {
      WebSocket s = socket(d.agentId());
      if (s instanceof WebSocketImpl impl) {
        impl.closeConnection(1006, "Dropped by test");
      }
    } else if (effect instanceof ServerEffect.CloseWith c) {
      socket(c.agentId()).close(c.code(), c.reason() == null ? "" : c.reason());
    } else if (effect instanceof ServerEffect.StopPonging p) {
      notPonging.add(p.agentId());
    } else if (effect instanceof ServerEffect.StopAnswering a) {
      notAnswering.add(a.agentId());
    } else if (effect instanceof ServerEffect.Resume r) {
      notPonging.remove(r.agentId());
      notAnswering.remove(r.agentId());
    } else if (effect instanceof ServerEffect.DelayAcks d) {
      ackDelay = d.delay();
    }
  }

  @Override
  public String sendCommand(String agentId, String content) {
    return sendCommand(agentId, content, CommandOptions.defaults());
  }

  @Override
  public String sendCommand(String agentId, String content, CommandOptions options) {
    Long timeLimitMs = options.timeLimit() == null ? null : options.timeLimit().toMillis();
    return done(
            "send a command to agent " + agentId,
            api()
                .submitCommand(
                    agentId, content, options.mode(), options.priority(), timeLimitMs, "test"))
        .commandId();
  }

  @Override
  public void cancel(String commandId) {
    done("cancel command " + commandId, api().cancelCommand(commandId, "Cancelled by test"));
  }

  @Override
  public void control(String agentId, String action) {
    done("send " + action + " to agent " + agentId, api().control(agentId, action));
  }

  private BackendApi api() {
    return BackendAccess.bridge().core(backend).api();
  }

  private static <T> T done(String what, Outcome<T> outcome) {
    if (!outcome.isOk()) {
      throw new IllegalStateException(
          "cannot " + what + ": " + outcome.code() + " " + outcome.message());
    }
    return outcome.value();
  }

  private WebSocket socket(String agentId) {
    WebSocket s = BackendAccess.bridge().core(backend).agentSocket(agentId);
    if (s == null) {
      throw new IllegalStateException(
          "agent " + agentId + " has no live connection to this backend");
    }
    return s;
  }

  @Override
  public synchronized void restart() {
    if (config.inMemory()) {
      throw new IllegalStateException(
          "restart() keeps the database file: use @ReferenceBackendTest(fileDatabase = true)");
    }
    backend.close();
    backend = BackendAccess.bridge().create(config, this).start();
  }

  // BackendHooks

  @Override
  public void onAgentFrame(
      int connectionIndex, long sequence, String agentId, String text, Message decoded) {
    frames.add(new RecordedFrame(connectionIndex, sequence, agentId, text, decoded, Instant.now()));
  }

  @Override
  public void onRefused(
      int connectionIndex, String agentId, ai.onsembl.protocol.ErrorCode code, String message) {
    refused.add(
        "connection #" + connectionIndex + " (agent " + agentId + "): " + code + " " + message);
  }

  @Override
  public java.util.List<String> refusals() {
    return java.util.List.copyOf(refused);
  }

  @Override
  public boolean answers(String agentId) {
    return !notAnswering.contains(agentId);
  }

  @Override
  public boolean answersProtocolPings(String agentId) {
    return !notPonging.contains(agentId) && !notAnswering.contains(agentId);
  }

  @Override
  public Duration ackDelay() {
    return ackDelay;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    backend.close();
    if (tempDir != null) {
      try (Stream<Path> files = Files.walk(tempDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
