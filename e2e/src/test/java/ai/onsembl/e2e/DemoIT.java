package ai.onsembl.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.wrapper.testing.RunningProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command: `onsembl-agent demo`, stopped with Ctrl+C as a terminal sends it. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakChecks.class)
class DemoIT {
  private static final Pattern REST = Pattern.compile("Bearer ([^']+)' (http://[^/]+)/api/agents");

  @Test
  void demoRunsTwoMockAgentsAndCtrlCShowsEachGoingOfflineWithItsReason(@TempDir Path home)
      throws Exception {
    List<String> cmd =
        List.of("setsid", Dist.launcher().toString(), "demo", "--port", "0", "--http-port", "0");
    try (RunningProcess demo =
        RunningProcess.start("demo", cmd, Map.of("HOME", home.toString()), home)) {
      demo.awaitStdout(l -> l.startsWith("Press Ctrl+C"), Duration.ofSeconds(60));
      String dashboard =
          demo.awaitStdout(l -> l.contains("Dashboard: http://"), Duration.ofSeconds(1));
      assertThat(dashboard).contains("/login?code=");
      Matcher m = REST.matcher(demo.awaitStdout(l -> l.contains("REST:"), Duration.ofSeconds(1)));
      assertThat(m.find()).isTrue();
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest agents =
          HttpRequest.newBuilder(URI.create(m.group(2) + "/api/agents"))
              .header("Authorization", "Bearer " + m.group(1))
              .build();
      Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                String body = http.send(agents, HttpResponse.BodyHandlers.ofString()).body();
                return body.split("\"status\":\"ONLINE\"", -1).length - 1 == 2;
              });

      demo.signalGroup("INT"); // Ctrl+C: the whole foreground group gets SIGINT

      assertThat(demo.awaitExit(Duration.ofSeconds(30))).isEqualTo(130);
      String out = String.join("\n", demo.stdout());
      assertThat(out)
          .contains(
              "demo-agent-1 OFFLINE: Graceful shutdown (SIGINT)",
              "demo-agent-2 OFFLINE: Graceful shutdown (SIGINT)",
              "onsembl demo: stopped.");
      assertThat(demo.survivingDescendants()).isEmpty();
    }
  }

  @Test
  void demoWithRunForStopsByItselfAndExitsZero(@TempDir Path home) {
    try (RunningProcess demo =
        Dist.start(
            "demo",
            Map.of("HOME", home.toString()),
            home,
            "demo",
            "--port",
            "0",
            "--http-port",
            "0",
            "--agents",
            "1",
            "--run-for",
            "3s")) {
      assertThat(demo.awaitExit(Duration.ofSeconds(60))).as(demo.transcript()).isZero();
      assertThat(String.join("\n", demo.stdout()))
          .contains("demo-agent-1 OFFLINE: Graceful shutdown (SIGTERM)");
      assertThat(demo.survivingDescendants()).isEmpty();
    }
  }
}
