package ai.onsembl.e2e.browser;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.backend.BackendConfig;
import ai.onsembl.backend.ReferenceBackend;
import ai.onsembl.e2e.Dist;
import ai.onsembl.e2e.LeakChecks;
import ai.onsembl.wrapper.testing.RunningProcess;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plan's end-to-end test: the reference backend, wrappers started as real processes from the
 * packaged launcher, and the /agents page in headless Chromium. A wrapper stopped with SIGTERM or
 * killed with SIGKILL is OFFLINE on the page within 2 s; after a backend restart the page re-syncs
 * and shows the agent ONLINE again once it reconnects; a command typed on the page shows its
 * output. Writes the README's screenshots (to {@code docs/screenshots/} with
 * -Donsembl.updateScreenshots=true).
 */
@Tag("browser")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@ExtendWith(LeakChecks.class)
class AgentsPageIT {

  private static final String AGENT_TOKEN = "e2e-agent-token";
  private static final String DASHBOARD_TOKEN = "e2e-dashboard-token";
  private static final Duration OFFLINE_WITHIN = Duration.ofSeconds(2);
  private static final Duration STARTUP = Duration.ofSeconds(30);

  /**
   * The README's screenshots are refreshed with {@code -Donsembl.updateScreenshots=true}; ordinary
   * runs write them under target/ so a test run leaves the work tree clean.
   */
  private static final Path SCREENSHOTS =
      Boolean.getBoolean("onsembl.updateScreenshots")
          ? Paths.get("").toAbsolutePath().resolveSibling("docs/screenshots")
          : Paths.get("target/screenshots").toAbsolutePath();

  private static Browser browser;

  @TempDir Path dir;
  private ReferenceBackend backend;
  private AgentsPage page;
  private final List<RunningProcess> agents = new ArrayList<>();

  @BeforeAll
  static void startBrowser() {
    Browser.requireInstalled();
    browser = Browser.start();
  }

  @AfterAll
  static void stopBrowser() {
    if (browser != null) {
      browser.close();
    }
  }

  @BeforeEach
  void startBackend() {
    backend = ReferenceBackend.start(config(0, 0));
    page = new AgentsPage(browser);
  }

  @AfterEach
  void stopEverything() {
    agents.forEach(RunningProcess::close);
    if (backend != null) {
      backend.close();
    }
    assertThat(browser.consoleErrors()).as("console errors of the page").isEmpty();
  }

  @Test
  void sigtermedWrapperIsOfflineOnThePageWithinTwoSeconds() {
    RunningProcess builder = startAgent("mock-builder");
    RunningProcess reviewer = startAgent("mock-reviewer");
    page.signIn(backend.dashboardLoginLink());
    page.awaitStatus("mock-builder", "ONLINE", STARTUP);
    page.awaitStatus("mock-reviewer", "ONLINE", STARTUP);
    assertThat(page.currentUrl()).endsWith("/agents").doesNotContain(DASHBOARD_TOKEN);
    assertThat(page.cell("mock-reviewer", "cell-seen")).isEqualTo("Active now");
    browser.screenshot(SCREENSHOTS.resolve("agents-online.png"));

    long signalled = System.nanoTime();
    reviewer.signal("TERM");
    page.awaitStatus("mock-reviewer", "OFFLINE", remainingOf(OFFLINE_WITHIN, signalled));
    Duration took = Duration.ofNanos(System.nanoTime() - signalled);
    assertThat(page.cell("mock-reviewer", "cell-reason")).as("the disconnect reason").isNotBlank();
    assertThat(page.cell("mock-reviewer", "cell-seen")).startsWith("Last seen");
    assertThat(page.status("mock-builder")).isEqualTo("ONLINE");
    browser.screenshot(SCREENSHOTS.resolve("agent-offline.png"));
    // 128 + 15: stopped by SIGTERM (README, exit codes; --exit-zero-on-signal is not given)
    assertThat(reviewer.awaitExit(Duration.ofSeconds(15))).as(reviewer.transcript()).isEqualTo(143);
    System.out.println("SIGTERM -> OFFLINE on the page in " + took.toMillis() + " ms");
    assertThat(builder.isAlive()).isTrue();
  }

  @Test
  void sigkilledWrapperIsOfflineOnThePageWithinTwoSeconds() {
    RunningProcess agent = startAgent("mock-killed");
    page.signIn(backend.dashboardLoginLink());
    page.awaitStatus("mock-killed", "ONLINE", STARTUP);

    long signalled = System.nanoTime();
    agent.signal("KILL");
    page.awaitStatus("mock-killed", "OFFLINE", remainingOf(OFFLINE_WITHIN, signalled));
    Duration took = Duration.ofNanos(System.nanoTime() - signalled);
    assertThat(page.cell("mock-killed", "cell-reason")).isNotBlank();
    System.out.println("SIGKILL -> OFFLINE on the page in " + took.toMillis() + " ms");
  }

  @Test
  void afterABackendRestartThePageResyncsAndTheAgentIsOnlineAgain() {
    startAgent("mock-survivor");
    page.signIn(backend.dashboardLoginLink());
    page.awaitStatus("mock-survivor", "ONLINE", STARTUP);
    int wsPort = backend.wsPort();
    int httpPort = backend.httpPort();
    int snapshotsBefore = page.snapshots();

    backend.close();
    AgentsPage.awaitUntil("the connection-lost banner", Duration.ofSeconds(10), page::bannerShown);
    assertThat(page.tableMarkedStale()).as("rows are dimmed while they may be stale").isTrue();

    backend = ReferenceBackend.start(config(wsPort, httpPort));
    // The same page, no new sign-in: its cookie is still valid for the restarted backend.
    page.awaitConnection("live", Duration.ofSeconds(20));
    assertThat(page.snapshots()).as("a fresh snapshot was applied").isGreaterThan(snapshotsBefore);
    page.awaitStatus("mock-survivor", "ONLINE", Duration.ofSeconds(60));
    AgentsPage.awaitUntil(
        "the backend to see the agent ONLINE again",
        Duration.ofSeconds(60),
        () ->
            backend.agents().stream()
                .anyMatch(
                    a -> "mock-survivor".equals(a.name()) && a.status().name().equals("ONLINE")));
    assertThat(page.bannerShown()).isFalse();
    assertThat(page.tableMarkedStale()).isFalse();
  }

  @Test
  void commandTypedOnThePageShowsItsOutput() {
    startAgent("mock-runner");
    page.signIn(backend.dashboardLoginLink());
    page.awaitStatus("mock-runner", "ONLINE", STARTUP);

    page.runCommand("mock-runner", "print 3 lines");
    AgentsPage.awaitUntil(
        "the command COMPLETED (was " + page.commandStatus("print 3 lines") + ")",
        Duration.ofSeconds(30),
        () -> "COMPLETED".equals(page.commandStatus("print 3 lines")));
    assertThat(page.commandOutput("print 3 lines")).contains("line 1\nline 2\nline 3");
    browser.screenshot(SCREENSHOTS.resolve("command-output.png"));

    // A reloaded page gets the command and its output back over REST, authenticated by the cookie.
    browser.driver().navigate().refresh();
    page.awaitConnection("live", Duration.ofSeconds(10));
    page.row("mock-runner").orElseThrow().click();
    AgentsPage.awaitUntil(
        "the output after a reload (was " + page.commandOutput("print 3 lines") + ")",
        Duration.ofSeconds(10),
        () ->
            String.valueOf(page.commandOutput("print 3 lines")).contains("line 1\nline 2\nline 3"));
    assertThat(page.commandStatus("print 3 lines")).isEqualTo("COMPLETED");
  }

  @Test
  void pageAnswersTheBackendsPingsAndStaysConnectedPastSeveralHeartbeatTimeouts() {
    backend.close();
    Duration timeout = Duration.ofSeconds(2);
    backend = ReferenceBackend.start(config(0, 0).withHeartbeat(Duration.ofMillis(500), timeout));
    startAgent("mock-idle");
    page.signIn(backend.dashboardLoginLink());
    page.awaitStatus("mock-idle", "ONLINE", STARTUP);
    int snapshots = page.snapshots();

    // A page that did not answer would be closed 4000 after 2 s and reconnect with a new snapshot.
    Awaitility.await("the page staying on its first connection")
        .during(timeout.multipliedBy(3))
        .atMost(timeout.multipliedBy(4))
        .until(() -> "live".equals(page.connection()) && page.snapshots() == snapshots);
    assertThat(page.status("mock-idle")).isEqualTo("ONLINE");
  }

  /**
   * What is left of {@code budget} counted from {@code startNanos}: the 2 s start at the signal.
   */
  private static Duration remainingOf(Duration budget, long startNanos) {
    Duration left = budget.minusNanos(System.nanoTime() - startNanos);
    return left.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : left;
  }

  private BackendConfig config(int wsPort, int httpPort) {
    return BackendConfig.defaults()
        .withPorts(wsPort, httpPort)
        .withAgentToken(AGENT_TOKEN)
        .withDashboardToken(DASHBOARD_TOKEN)
        .withDatabaseFile(dir.resolve("backend.db"));
  }

  private RunningProcess startAgent(String name) {
    Map<String, String> env =
        Map.of("ONSEMBL_TOKEN", AGENT_TOKEN, "ONSEMBL_STATE_DIR", dir.resolve("state").toString());
    RunningProcess agent =
        Dist.start(
            name,
            env,
            dir,
            "start",
            "--server",
            backend.wsUrl(),
            "--agent",
            "mock",
            "--name",
            name);
    agents.add(agent);
    return agent;
  }
}
