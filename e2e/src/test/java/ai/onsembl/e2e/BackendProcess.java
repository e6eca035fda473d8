package ai.onsembl.e2e;

import ai.onsembl.backend.ReadyLine;
import ai.onsembl.wrapper.testing.RunningProcess;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.awaitility.Awaitility;

/**
 * {@code onsembl-agent backend} as a real process on free ports and a SQLite file, with a small
 * REST client for assertions. {@link #close()} kills it.
 */
public final class BackendProcess implements AutoCloseable {
  public static final String AGENT_TOKEN = "e2e-agent-token";
  public static final String DASHBOARD_TOKEN = "e2e-dashboard-token";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RunningProcess process;
  private final String wsUrl;
  private final String httpUrl;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private BackendProcess(RunningProcess process, String wsUrl, String httpUrl) {
    this.process = process;
    this.wsUrl = wsUrl;
    this.httpUrl = httpUrl;
  }

  /**
   * Starts a backend on free ports with the given db file and extra flags; waits for its ready
   * line.
   */
  public static BackendProcess start(Path db, Path home, String... extraArgs) {
    return startOn(0, 0, db, home, extraArgs);
  }

  /** As {@link #start} on fixed ports (for restarts that must come back on the same address). */
  public static BackendProcess startOn(
      int wsPort, int httpPort, Path db, Path home, String... extraArgs) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "backend",
                "--port",
                String.valueOf(wsPort),
                "--http-port",
                String.valueOf(httpPort),
                "--db",
                db.toString()));
    args.addAll(List.of(extraArgs));
    RunningProcess p =
        Dist.start(
            "backend",
            Map.of(
                "HOME",
                home.toString(),
                "ONSEMBL_BACKEND_AGENT_TOKEN",
                AGENT_TOKEN,
                "ONSEMBL_BACKEND_DASHBOARD_TOKEN",
                DASHBOARD_TOKEN),
            home,
            args.toArray(String[]::new));
    try {
      ReadyLine ready =
          ReadyLine.parse(
              p.awaitStdout(l -> ReadyLine.find(l).isPresent(), Duration.ofSeconds(30)));
      return new BackendProcess(p, ready.wsUrl(), ready.httpUrl());
    } catch (RuntimeException | Error e) {
      String t = p.transcript();
      p.close();
      throw new AssertionError("backend did not start:\n" + t, e);
    }
  }

  public RunningProcess process() {
    return process;
  }

  public String wsUrl() {
    return wsUrl;
  }

  public String httpUrl() {
    return httpUrl;
  }

  public int wsPort() {
    return URI.create(wsUrl).getPort();
  }

  public int httpPort() {
    return URI.create(httpUrl).getPort();
  }

  /** GET with the dashboard token; the parsed JSON body. */
  public JsonNode get(String path) {
    return send(HttpRequest.newBuilder(URI.create(httpUrl + path)).GET());
  }

  /** POST a JSON body with the dashboard token; the parsed JSON body. */
  public JsonNode post(String path, String json) {
    return send(
        HttpRequest.newBuilder(URI.create(httpUrl + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  private JsonNode send(HttpRequest.Builder b) {
    try {
      HttpResponse<String> r =
          http.send(
              b.header("Authorization", "Bearer " + DASHBOARD_TOKEN)
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new AssertionError("backend request failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The agent named {@code name}, as the REST API shows it. */
  public Optional<JsonNode> agentNamed(String name) {
    for (JsonNode a : get("/api/agents").path("agents")) {
      if (name.equals(a.path("name").asText())) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }

  /** Waits until the agent named {@code name} has {@code status}; returns it. */
  public JsonNode awaitAgent(String name, String status, Duration timeout) {
    JsonNode[] found = new JsonNode[1];
    Awaitility.await("agent " + name + " " + status)
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(25))
        .until(
            () -> {
              Optional<JsonNode> a = agentNamed(name);
              a.ifPresent(n -> found[0] = n);
              return a.isPresent() && status.equals(a.get().path("status").asText());
            });
    return found[0];
  }

  @Override
  public void close() {
    process.close();
  }
}
