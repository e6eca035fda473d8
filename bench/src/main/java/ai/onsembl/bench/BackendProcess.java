package ai.onsembl.bench;

import ai.onsembl.backend.ReadyLine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The packaged {@code onsembl-agent backend} as a separate process on free loopback ports, :memory:
 * db.
 */
final class BackendProcess implements AutoCloseable {
  static final String AGENT_TOKEN = "bench-agent-token";
  static final String DASHBOARD_TOKEN = "bench-dashboard-token";

  final Process process;
  final String wsUrl;
  final String httpUrl;
  private final HttpClient http = HttpClient.newHttpClient();

  private BackendProcess(Process process, String wsUrl, String httpUrl) {
    this.process = process;
    this.wsUrl = wsUrl;
    this.httpUrl = httpUrl;
  }

  /**
   * Starts it and waits for its ready line. {@code cpus} (e.g. "0") pins it with taskset; null
   * leaves it free. Its stderr (one log line per agent event) goes to a temp file, not a pipe that
   * could fill.
   */
  static BackendProcess start(String cpus, String... extraArgs) throws IOException {
    List<String> cmd = new ArrayList<>();
    if (cpus != null) {
      cmd.addAll(List.of("taskset", "-c", cpus));
    }
    cmd.addAll(
        List.of(
            Procs.launcher(), "backend", "--port", "0", "--http-port", "0", "--db", ":memory:"));
    cmd.addAll(List.of(extraArgs));
    return launch(cmd);
  }

  /**
   * {@link BenchBackend} (the same backend, in-memory, with the launcher's backend JVM flags) with
   * per-connection rate limits the packaged CLI does not expose.
   */
  static BackendProcess startWithRateLimits(int agentPerSecond, int dashboardPerSecond)
      throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return launch(
        List.of(
            java,
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Xss512k",
            "-Xmx512m",
            "-XX:+ExitOnOutOfMemoryError",
            "-cp",
            System.getProperty("java.class.path"),
            BenchBackend.class.getName(),
            Integer.toString(agentPerSecond),
            Integer.toString(dashboardPerSecond)));
  }

  private static BackendProcess launch(List<String> cmd) throws IOException {
    Path log = Files.createTempFile("bench-backend", ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(log.toFile());
    pb.environment().put("ONSEMBL_BACKEND_AGENT_TOKEN", AGENT_TOKEN);
    pb.environment().put("ONSEMBL_BACKEND_DASHBOARD_TOKEN", DASHBOARD_TOKEN);
    Process p = pb.start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> ready =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                for (String line; (line = out.readLine()) != null; ) {
                  if (ReadyLine.find(line).isPresent()) {
                    return line;
                  }
                }
                return null;
              } catch (IOException e) {
                return null;
              }
            });
    String line;
    try {
      line = ready.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      line = null;
    }
    if (line == null) {
      Procs.stop(p, Duration.ofSeconds(2));
      throw new IOException(
          "backend did not print its ready line in 30 s; log: " + Files.readString(log));
    }
    // Keep draining stdout so the backend never blocks on it.
    Thread drain =
        new Thread(
            () -> {
              try {
                out.transferTo(java.io.Writer.nullWriter());
              } catch (IOException ignored) {
                // the process ended
              }
            },
            "backend-stdout");
    drain.setDaemon(true);
    drain.start();
    log.toFile().deleteOnExit();
    ReadyLine listening = ReadyLine.parse(line);
    return new BackendProcess(p, listening.wsUrl(), listening.httpUrl());
  }

  long pid() {
    return process.pid();
  }

  URI agentUri(String agentId) {
    return URI.create(wsUrl + "/ws/agent?agentId=" + agentId + "&token=" + AGENT_TOKEN);
  }

  URI dashboardUri() {
    return URI.create(wsUrl + "/ws/dashboard?token=" + DASHBOARD_TOKEN);
  }

  /** GET with the dashboard token; the body as text. */
  String get(String path) throws IOException, InterruptedException {
    HttpRequest r =
        HttpRequest.newBuilder(URI.create(httpUrl + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + DASHBOARD_TOKEN)
            .build();
    HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString());
    if (resp.statusCode() != 200) {
      throw new IOException("GET " + path + " answered " + resp.statusCode() + ": " + resp.body());
    }
    return resp.body();
  }

  /**
   * Sum of every sample of a metric family in /metrics (e.g. all reasons of
   * agent_disconnected_total).
   */
  double metricSum(String family) throws IOException, InterruptedException {
    double sum = 0;
    for (String line : get("/metrics").split("\n")) {
      if (line.startsWith(family + " ") || line.startsWith(family + "{")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  @Override
  public void close() {
    Procs.stop(process, Duration.ofSeconds(10));
  }
}
