package ai.onsembl.cli;

import ai.onsembl.backend.AgentState;
import ai.onsembl.backend.BackendConfig;
import ai.onsembl.backend.ReferenceBackend;
import ai.onsembl.protocol.AgentStatus;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The training run behind the class-data archives built at package time (src/cds/build-archive.sh):
 * one wrapper started by the distribution's own launcher (so its class path and flags are the
 * shipped ones) against a real backend running in this JVM. The wrapper connects, heartbeats, runs
 * one command in session mode (its child {@code cat} echoes it: COMMAND_ACK, TERMINAL_OUTPUT), then
 * gets SIGTERM and says goodbye, so every class of the launch and of the shutdown path is in the
 * archive, not loaded cold later.
 *
 * <p>Args: DIST_DIR then the JVM flags that record the run (e.g. {@code
 * -XX:DumpLoadedClassList=FILE}), handed to the launcher in {@code ONSEMBL_JAVA_OPTS}. Exit 0 when
 * every step was seen, 1 otherwise. Never started by {@code onsembl-agent} itself.
 */
public final class CdsTraining {
  private static final Duration STEP = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();

  private CdsTraining() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: CdsTraining DIST_DIR [JVM_FLAGS...]");
      System.exit(2);
    }
    Path dist = Path.of(args[0]).toAbsolutePath();
    String javaOpts = String.join(" ", List.of(args).subList(1, args.length));
    BackendConfig config =
        BackendConfig.forTests().withHeartbeat(Duration.ofMillis(200), Duration.ofSeconds(30));
    Path state = Files.createTempDirectory("onsembl-cds-training");
    int code = 1;
    Process wrapper = null;
    try (ReferenceBackend backend = ReferenceBackend.start(config)) {
      String agentId = "cds-training";
      ProcessBuilder pb =
          new ProcessBuilder(
                  dist.resolve("bin/onsembl-agent").toString(),
                  "start",
                  "--server",
                  backend.wsUrl(),
                  "--agent-id",
                  agentId,
                  "--name",
                  agentId,
                  "--state-dir",
                  state.toString(),
                  // info, the default: the lines a wrapper prints as it starts and stops (and the
                  // time of day they carry) are part of the path to archive
                  "--log-level",
                  "info",
                  "--child-grace",
                  "2s",
                  "--",
                  "cat")
              .redirectInput(ProcessBuilder.Redirect.PIPE)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.INHERIT);
      pb.environment().put("ONSEMBL_TOKEN", config.agentToken());
      pb.environment().put("ONSEMBL_NO_CDS", "1");
      pb.environment().put("ONSEMBL_JAVA_OPTS", javaOpts);
      pb.environment().remove("ONSEMBL_CONFIG");
      wrapper = pb.start();
      AgentState online =
          await(
              "the wrapper ONLINE",
              () ->
                  backend
                      .agent(agentId)
                      .filter(a -> a.status() == AgentStatus.ONLINE)
                      .orElse(null));
      long seen = online.lastSeen() == null ? 0 : online.lastSeen();
      await(
          "a heartbeat",
          () ->
              backend
                  .agent(agentId)
                  .filter(a -> a.lastSeen() != null && a.lastSeen() > seen)
                  .orElse(null));
      HttpClient http = HttpClient.newHttpClient();
      JsonNode submitted =
          JSON.readTree(
              http.send(
                      HttpRequest.newBuilder(
                              URI.create(
                                  backend.httpUrl() + "/api/agents/" + agentId + "/commands"))
                          .header("Authorization", "Bearer " + config.dashboardToken())
                          .POST(
                              HttpRequest.BodyPublishers.ofString("{\"content\":\"cds training\"}"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
      String commandId = submitted.path("commandId").asText();
      HttpRequest command =
          HttpRequest.newBuilder(URI.create(backend.httpUrl() + "/api/commands/" + commandId))
              .header("Authorization", "Bearer " + config.dashboardToken())
              .build();
      await(
          "the command's echo",
          () -> {
            try {
              JsonNode output =
                  JSON.readTree(http.send(command, HttpResponse.BodyHandlers.ofString()).body())
                      .path("output");
              return output.isArray() && output.size() > 0 ? output : null;
            } catch (IOException e) {
              return null;
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return null;
            }
          });
      wrapper.destroy();
      await(
          "the goodbye after SIGTERM",
          () -> backend.agent(agentId).filter(a -> a.status() != AgentStatus.ONLINE).orElse(null));
      if (!wrapper.waitFor(STEP.toSeconds(), TimeUnit.SECONDS)) {
        throw new IllegalStateException(
            "the wrapper did not exit within " + STEP.toSeconds() + " s of SIGTERM");
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

  /** Polls {@code probe} every 20 ms until it returns non-null, for at most {@link #STEP}. */
  private static <T> T await(String what, Supplier<T> probe) throws InterruptedException {
    long deadline = System.nanoTime() + STEP.toNanos();
    while (System.nanoTime() < deadline) {
      T v = probe.get();
      if (v != null) {
        return v;
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("expected " + what + " within " + STEP.toSeconds() + " s");
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp dir left behind
    }
  }
}
