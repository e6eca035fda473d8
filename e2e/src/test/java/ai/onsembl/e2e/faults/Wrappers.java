package ai.onsembl.e2e.faults;

import ai.onsembl.e2e.BackendProcess;
import ai.onsembl.e2e.Dist;
import ai.onsembl.wrapper.testing.RunningProcess;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;

/**
 * Starting real wrapper processes ({@code onsembl-agent start}) and small waits the fault tests
 * share.
 */
final class Wrappers {
  private Wrappers() {}

  /**
   * Starts {@code onsembl-agent start --server URL --name NAME} plus {@code args}, with the agent
   * token in the environment (never argv) and a state dir under {@code home}.
   */
  static RunningProcess start(Path home, String serverUrl, String name, String... args) {
    return start(home, serverUrl, name, Map.of(), args);
  }

  /** As {@link #start(Path, String, String, String...)} with more environment variables. */
  static RunningProcess start(
      Path home, String serverUrl, String name, Map<String, String> env, String... args) {
    List<String> all = new ArrayList<>(List.of("start", "--server", serverUrl, "--name", name));
    all.addAll(List.of(args));
    Map<String, String> e = new java.util.HashMap<>(env);
    e.putAll(
        Map.of(
            "HOME",
            home.toString(),
            "ONSEMBL_TOKEN",
            BackendProcess.AGENT_TOKEN,
            "ONSEMBL_STATE_DIR",
            home.resolve("state").toString()));
    return Dist.start(name, e, home, all.toArray(String[]::new));
  }

  /**
   * Posts {@code content} as a command for the agent named {@code name}; returns the command id.
   */
  static String post(BackendProcess backend, String name, String content) {
    String agentId = backend.agentNamed(name).orElseThrow().path("agentId").asText();
    JsonNode posted =
        backend.post(
            "/api/agents/" + agentId + "/commands",
            "{\"content\":\"" + content.replace("\"", "\\\"") + "\"}");
    String id = posted.path("commandId").asText();
    if (id.isEmpty()) {
      throw new AssertionError(
          "expected a commandId for '" + content + "' but the backend said " + posted);
    }
    return id;
  }

  /** Waits until command {@code id} has {@code status}; returns its REST view. */
  static JsonNode awaitCommand(BackendProcess backend, String id, String status, Duration timeout) {
    JsonNode[] last = new JsonNode[1];
    Awaitility.await("command " + id + " " + status)
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              last[0] = backend.get("/api/commands/" + id);
              return status.equals(last[0].path("status").asText());
            });
    return last[0];
  }

  /**
   * Waits until {@code p} has at least {@code count} live descendants whose command line contains
   * {@code text}.
   */
  static void awaitDescendants(RunningProcess p, String text, int count, Duration timeout) {
    Awaitility.await(p.pid() + " descendants '" + text + "'")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(20))
        .until(
            () ->
                p.process()
                        .toHandle()
                        .descendants()
                        .filter(h -> h.info().commandLine().orElse("").contains(text))
                        .count()
                    >= count);
    p.rememberDescendants();
  }
}
