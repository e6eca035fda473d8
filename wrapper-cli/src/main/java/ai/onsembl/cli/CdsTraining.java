package ai.onsembl.cli;

import ai.onsembl.backend.BackendConfig;
import ai.onsembl.backend.ReferenceBackend;
import ai.onsembl.backend.internal.BackendHooks;
import ai.onsembl.protocol.Message;
import ai.onsembl.protocol.MessageType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The training run behind the class-data archives built at package time (src/cds/build-archive.sh): one
 * wrapper started by the distribution's own launcher (so its class path and flags are the shipped ones)
 * against a real backend running in this JVM. The wrapper connects, heartbeats, runs one command in
 * session mode (its child {@code cat} echoes it: COMMAND_ACK, TERMINAL_OUTPUT), then gets SIGTERM and says
 * goodbye, so every class of the launch and of the shutdown path is in the archive, not loaded cold later.
 *
 * <p>Args: DIST_DIR then the JVM flags that record the run (e.g. {@code -XX:DumpLoadedClassList=FILE}),
 * handed to the launcher in {@code ONSEMBL_JAVA_OPTS}. Exit 0 when every step was seen, 1 otherwise.
 * Never started by {@code onsembl-agent} itself.
 */
public final class CdsTraining {
  private static final Duration STEP = Duration.ofSeconds(20);

  private CdsTraining() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: CdsTraining DIST_DIR [JVM_FLAGS...]");
      System.exit(2);
    }
    Path dist = Path.of(args[0]).toAbsolutePath();
    String javaOpts = String.join(" ", List.of(args).subList(1, args.length));
    String token = "cds-" + UUID.randomUUID();
    LinkedBlockingQueue<Message> frames = new LinkedBlockingQueue<>();
    BackendHooks hooks = new BackendHooks() {
      @Override
      public void onAgentFrame(int connectionIndex, long sequence, String agentId, String text, Message decoded) {
        if (decoded != null) {
          frames.add(decoded);
        }
      }
    };
    BackendConfig config = BackendConfig.defaults().withPorts(0, 0).withDatabasePath(BackendConfig.IN_MEMORY)
        .withAgentToken(token).withDashboardToken(UUID.randomUUID().toString())
        .withHeartbeat(Duration.ofMillis(200), Duration.ofSeconds(30));
    Path state = Files.createTempDirectory("onsembl-cds-training");
    int code = 1;
    Process wrapper = null;
    try (ReferenceBackend backend = new ReferenceBackend(config, hooks).start()) {
      String agentId = "cds-training";
      ProcessBuilder pb = new ProcessBuilder(dist.resolve("bin/onsembl-agent").toString(), "start",
          "--server", backend.wsUrl(), "--agent-id", agentId, "--name", agentId, "--state-dir", state.toString(),
          "--log-level", "error", "--child-grace", "2s", "--", "cat")
          .redirectInput(ProcessBuilder.Redirect.PIPE)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.INHERIT);
      pb.environment().put("ONSEMBL_TOKEN", token);
      pb.environment().put("ONSEMBL_NO_CDS", "1");
      pb.environment().put("ONSEMBL_JAVA_OPTS", javaOpts);
      pb.environment().remove("ONSEMBL_CONFIG");
      wrapper = pb.start();
      await(frames, MessageType.AGENT_CONNECT, "the wrapper's AGENT_CONNECT");
      await(frames, MessageType.AGENT_HEARTBEAT, "a heartbeat");
      var submitted = backend.internals().api().submitCommand(agentId, "cds training");
      if (!submitted.isOk()) {
        throw new IllegalStateException("the backend refused the training command: " + submitted);
      }
      await(frames, MessageType.TERMINAL_OUTPUT, "the command's echo");
      wrapper.destroy();
      await(frames, MessageType.AGENT_DISCONNECT, "AGENT_DISCONNECT after SIGTERM");
      if (!wrapper.waitFor(STEP.toSeconds(), TimeUnit.SECONDS)) {
        throw new IllegalStateException("the wrapper did not exit within " + STEP.toSeconds() + " s of SIGTERM");
      }
      code = 0;
    } catch (Exception e) {
      System.err.println("CDS training run failed: " + e.getMessage());
    } finally {
      if (wrapper != null && wrapper.isAlive()) {
        wrapper.destroyForcibly();
        wrapper.waitFor(5, TimeUnit.SECONDS);
      }
      deleteTree(state);
    }
    System.exit(code);
  }

  private static void await(LinkedBlockingQueue<Message> frames, MessageType type, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + STEP.toNanos();
    List<MessageType> seen = new ArrayList<>();
    while (true) {
      Message m = frames.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (m == null) {
        throw new IllegalStateException("expected " + what + " within " + STEP.toSeconds() + " s but saw only "
            + seen);
      }
      if (m.type() == type) {
        return;
      }
      seen.add(m.type());
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp dir left behind
    }
  }
}
