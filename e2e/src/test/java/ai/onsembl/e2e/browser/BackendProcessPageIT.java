package ai.onsembl.e2e.browser;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.backend.ReadyLine;
import ai.onsembl.e2e.Dist;
import ai.onsembl.e2e.LeakChecks;
import ai.onsembl.wrapper.testing.RunningProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * The whole product as a user runs it: {@code onsembl-agent backend} and {@code onsembl-agent
 * start} as real processes, the login link the backend prints, the page in headless Chromium. The
 * backend is then killed with SIGKILL and started again on the same ports and database: the open
 * page re-syncs without a new sign-in, the agent comes back ONLINE, and its status history shows
 * the restart.
 */
@Tag("browser")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@ExtendWith(LeakChecks.class)
class BackendProcessPageIT {

  private static final String AGENT_TOKEN = "e2e-process-agent-token";
  private static final String DASHBOARD_TOKEN = "e2e-process-dashboard-token";
  private static final Pattern LOGIN_LINK =
      Pattern.compile("(http://\\S+/login\\?code=[A-Za-z0-9_-]+)");

  @TempDir Path dir;
  private final List<RunningProcess> processes = new ArrayList<>();

  @AfterEach
  void stopProcesses() {
    processes.forEach(RunningProcess::close);
  }

  @Test
  void printedLoginLinkOpensThePageWhichSurvivesABackendCrashAndRestart() {
    Browser.requireInstalled();
    RunningProcess backend = startBackend("backend", 0, 0);
    ReadyLine ready =
        ReadyLine.parse(
            backend.awaitStdout(l -> ReadyLine.find(l).isPresent(), Duration.ofSeconds(30)));
    assertThat(ready.wsUrl()).startsWith("ws://127.0.0.1:");
    int wsPort = ready.wsPort();
    int httpPort = ready.httpPort();
    String link = loginLink(backend);
    assertThat(link)
        .startsWith("http://127.0.0.1:" + httpPort + "/login?code=")
        .doesNotContain(DASHBOARD_TOKEN);

    RunningProcess agent =
        Dist.start(
            "agent",
            Map.of(
                "ONSEMBL_TOKEN", AGENT_TOKEN, "ONSEMBL_STATE_DIR", dir.resolve("state").toString()),
            dir,
            "start",
            "--server",
            "ws://127.0.0.1:" + wsPort,
            "--agent",
            "mock",
            "--name",
            "phoenix");
    processes.add(agent);

    try (Browser browser = Browser.start()) {
      AgentsPage page = new AgentsPage(browser).signIn(link);
      page.awaitStatus("phoenix", "ONLINE", Duration.ofSeconds(30));
      int snapshots = page.snapshots();

      backend.signal("KILL");
      backend.awaitExit(Duration.ofSeconds(10));
      AgentsPage.awaitUntil(
          "the connection-lost banner", Duration.ofSeconds(10), page::bannerShown);

      RunningProcess restarted = startBackend("backend-restarted", wsPort, httpPort);
      restarted.awaitStdout(l -> ReadyLine.find(l).isPresent(), Duration.ofSeconds(30));
      page.awaitConnection("live", Duration.ofSeconds(20));
      assertThat(page.snapshots()).as("re-synced from a new snapshot").isGreaterThan(snapshots);
      page.awaitStatus("phoenix", "ONLINE", Duration.ofSeconds(60));
      assertThat(page.bannerShown()).isFalse();

      // The restart is on record: startup cleanup marked the agent OFFLINE before it came back.
      page.row("phoenix").orElseThrow().click();
      AgentsPage.awaitUntil(
          "'Server restarted' in the status history",
          Duration.ofSeconds(10),
          () ->
              browser
                  .driver()
                  .findElement(By.id("history-list"))
                  .getText()
                  .contains("Server restarted"));
      assertThat(browser.consoleErrors()).as("console errors of the page").isEmpty();
    }
    assertThat(agent.isAlive()).as("the wrapper rode out the backend crash").isTrue();
  }

  private RunningProcess startBackend(String name, int wsPort, int httpPort) {
    RunningProcess backend =
        Dist.start(
            name,
            Map.of(
                "ONSEMBL_BACKEND_AGENT_TOKEN",
                AGENT_TOKEN,
                "ONSEMBL_BACKEND_DASHBOARD_TOKEN",
                DASHBOARD_TOKEN),
            dir,
            "backend",
            "--port",
            String.valueOf(wsPort),
            "--http-port",
            String.valueOf(httpPort),
            "--db",
            dir.resolve("backend.db").toString());
    processes.add(backend);
    return backend;
  }

  private static String loginLink(RunningProcess backend) {
    Matcher m =
        LOGIN_LINK.matcher(
            backend.awaitStderr(l -> LOGIN_LINK.matcher(l).find(), Duration.ofSeconds(10)));
    assertThat(m.find()).isTrue();
    return m.group(1);
  }
}
