package ai.onsembl.e2e.browser;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.e2e.LeakChecks;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;

/**
 * The page's own logic in a real headless Chromium, fed by a scripted /ws/dashboard: snapshot and
 * event handling, escaping, chunk order and de-duplication, PING/PONG, the connection-lost banner
 * and re-sync. The real backend and wrapper are in {@link AgentsPageIT}.
 */
@Tag("browser")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakChecks.class)
class AgentsPageBehaviourIT {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static Browser browser;

  private ScriptedDashboardBackend backend;
  private AgentsPage page;

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
  void openPage() throws Exception {
    backend = new ScriptedDashboardBackend();
    page = new AgentsPage(browser);
    browser.driver().get(backend.loginLink());
    String init = backend.takeType("DASHBOARD_INIT", WAIT);
    assertThat(init).contains("\"subscriptions\":{\"agents\":[\"*\"],\"terminals\":true}");
  }

  @AfterEach
  void closeBackend() {
    if (backend != null) {
      backend.close();
    }
  }

  @AfterEach
  void noScriptErrorsOrPolicyViolations() {
    assertThat(browser.consoleErrors()).as("console errors of the page").isEmpty();
  }

  @Test
  void snapshotShowsEveryAgentWithItsStatusSeenTimeAndReason() {
    long now = System.currentTimeMillis();
    backend.send(
        "DASHBOARD_CONNECTED",
        "{\"timestamp\":"
            + now
            + ",\"agents\":["
            + agent("a1", "builder", "ONLINE", "PROCESSING", null, null)
            + ","
            + agent("a2", "tester", "OFFLINE", "IDLE", now - 3 * 60_000, "Agent stopped (SIGTERM)")
            + ","
            + agent("a3", "sleeper", "HIBERNATING", "IDLE", now - 7_200_000, null)
            + "]}");
    page.awaitConnection("live", WAIT);
    page.awaitStatus("builder", "ONLINE", WAIT);

    assertThat(page.agentId("builder")).isEqualTo("a1");
    assertThat(page.cell("builder", "cell-seen")).isEqualTo("Active now");
    assertThat(page.cell("builder", "cell-activity")).isEqualTo("PROCESSING");
    assertThat(page.cell("builder", "cell-host")).isEqualTo("host-a1\nv1.2.3");
    assertThat(page.status("tester")).isEqualTo("OFFLINE");
    assertThat(page.cell("tester", "cell-seen")).isEqualTo("Last seen 3 min ago");
    assertThat(page.cell("tester", "cell-reason")).isEqualTo("Agent stopped (SIGTERM)");
    assertThat(page.status("sleeper"))
        .as("an unknown status is shown as it came")
        .isEqualTo("HIBERNATING");
    assertThat(page.cell("sleeper", "cell-status")).isEqualTo("HIBERNATING");
    assertThat(page.cell("sleeper", "cell-seen")).isEqualTo("Last seen 2 h ago");
    assertThat(browser.driver().findElement(By.id("summary")).getText())
        .isEqualTo("3 agents: 1 online · 1 offline · 1 other");
  }

  @Test
  void lastSeenTextKeepsItselfCurrent() {
    long now = System.currentTimeMillis();
    backend.send(
        "DASHBOARD_CONNECTED",
        "{\"timestamp\":"
            + now
            + ",\"agents\":["
            + agent("t1", "ticker", "OFFLINE", "IDLE", now - 57_000, "Heartbeat timeout")
            + "]}");
    page.awaitStatus("ticker", "OFFLINE", WAIT);
    assertThat(page.cell("ticker", "cell-seen")).matches("Last seen 5\\d s ago");
    // No new frame arrives: the page's own clock moves the text on.
    AgentsPage.awaitUntil(
        "'Last seen 1 min ago' (was " + page.cell("ticker", "cell-seen") + ")",
        WAIT,
        () -> "Last seen 1 min ago".equals(page.cell("ticker", "cell-seen")));
  }

  @Test
  void filterShowsOnlyMatchingAgents() {
    backend.send(
        "DASHBOARD_CONNECTED",
        "{\"agents\":["
            + agent("f1", "alpha", "ONLINE", "IDLE", null, null)
            + ","
            + agent("f2", "beta", "OFFLINE", "IDLE", null, "Connection lost")
            + "]}");
    page.awaitStatus("beta", "OFFLINE", WAIT);
    browser.driver().findElement(By.id("filter")).sendKeys("offline");
    AgentsPage.awaitUntil(
        "only beta shown", WAIT, () -> !page.row("alpha").orElseThrow().isDisplayed());
    assertThat(page.row("beta").orElseThrow().isDisplayed()).isTrue();
  }

  @Test
  void agentDataIsRenderedAsTextNeverAsMarkup() {
    String hostile = "<img src=x onerror=\\\"window.pwned=1\\\">";
    backend.send(
        "DASHBOARD_CONNECTED",
        "{\"agents\":[" + agent("x1", hostile, "ONLINE", "IDLE", null, null) + "]}");
    page.awaitConnection("live", WAIT);
    String shown = "<img src=x onerror=\"window.pwned=1\">";
    AgentsPage.awaitUntil("the hostile name as text", WAIT, () -> page.row(shown).isPresent());
    assertThat(page.row(shown).orElseThrow().getText()).contains(shown);
    assertThat(browser.driver().findElements(By.cssSelector("#agents-body img"))).isEmpty();
    assertThat(page.script("return window.pwned === undefined")).isEqualTo(true);
  }

  @Test
  void liveEventsChangeRowsAsTheyArrive() {
    backend.send("DASHBOARD_CONNECTED", "{\"agents\":[]}");
    page.awaitConnection("live", WAIT);
    assertThat(browser.driver().findElement(By.id("empty")).isDisplayed()).isTrue();

    backend.send(
        "AGENT_CONNECTED",
        "{\"agentId\":\"n1\",\"agentName\":\"newcomer\",\"agentType\":\"CLAUDE\","
            + "\"version\":\"0.9\",\"hostMachine\":\"box\",\"timestamp\":"
            + System.currentTimeMillis()
            + "}");
    page.awaitStatus("newcomer", "ONLINE", WAIT);
    assertThat(page.cell("newcomer", "cell-type")).isEqualTo("CLAUDE");

    backend.send(
        "AGENT_STATUS",
        "{\"agentId\":\"n1\",\"status\":\"ONLINE\",\"activityState\":\"PROCESSING\"}");
    AgentsPage.awaitUntil(
        "activity PROCESSING",
        WAIT,
        () -> "PROCESSING".equals(page.cell("newcomer", "cell-activity")));

    backend.send(
        "AGENT_DISCONNECT",
        "{\"agentId\":\"n1\",\"reason\":\"Connection lost (1006)\",\"timestamp\":"
            + System.currentTimeMillis()
            + "}");
    page.awaitStatus("newcomer", "OFFLINE", WAIT);
    assertThat(page.cell("newcomer", "cell-reason")).isEqualTo("Connection lost (1006)");
    assertThat(page.cell("newcomer", "cell-seen")).isEqualTo("Last seen just now");
    assertThat(page.cell("newcomer", "cell-activity")).isEqualTo("—");

    backend.send(
        "AGENT_STATUS", "{\"agentId\":\"n1\",\"status\":\"ONLINE\",\"activityState\":\"IDLE\"}");
    page.awaitStatus("newcomer", "ONLINE", WAIT);
    assertThat(page.cell("newcomer", "cell-reason"))
        .as("no stale reason on an ONLINE agent")
        .isEmpty();
  }

  @Test
  void commandOutputShowsEachChunkOnceInSequenceOrder() throws Exception {
    backend.send(
        "DASHBOARD_CONNECTED",
        "{\"agents\":[" + agent("c1", "runner", "ONLINE", "IDLE", null, null) + "]}");
    page.awaitStatus("runner", "ONLINE", WAIT);

    page.runCommand("runner", "make test");
    String request = backend.takeType("COMMAND_REQUEST", WAIT);
    assertThat(request).contains("\"agentId\":\"c1\"", "\"content\":\"make test\"");
    Matcher id = Pattern.compile("\"commandId\":\"([^\"]+)\"").matcher(request);
    assertThat(id.find()).as("COMMAND_REQUEST carries a commandId: %s", request).isTrue();
    String commandId = id.group(1);

    backend.send("COMMAND_STATUS", status(commandId, "EXECUTING", null));
    backend.send("TERMINAL_STREAM", chunk(commandId, 2, "STDOUT", "two\\n"));
    backend.send("TERMINAL_STREAM", chunk(commandId, 1, "STDOUT", "one\\n"));
    backend.send("TERMINAL_STREAM", chunk(commandId, 2, "STDOUT", "two\\n"));
    backend.send("TERMINAL_STREAM", chunk(commandId, 3, "STDERR", "three <b>bold</b>\\n"));
    backend.send("COMMAND_STATUS", status(commandId, "FAILED", "exit code 2"));

    AgentsPage.awaitUntil(
        "status FAILED", WAIT, () -> "FAILED".equals(page.commandStatus("make test")));
    assertThat(page.commandOutput("make test")).isEqualTo("one\ntwo\nthree <b>bold</b>");
    assertThat(page.commandCard("make test").orElseThrow().getText()).contains("exit code 2");
    assertThat(browser.driver().findElements(By.cssSelector("#commands .stderr"))).hasSize(1);
  }

  @Test
  void selectingAnAgentLoadsItsRecentCommandsAndStatusHistoryWithTheSessionCookie() {
    long now = System.currentTimeMillis();
    backend.answer(
        "/api/commands?agentId=h1&limit=10",
        "{\"commands\":[{\"commandId\":\"old-1\",\"agentId\":\"h1\","
            + "\"content\":\"earlier command\",\"status\":\"COMPLETED\",\"createdAt\":"
            + (now - 60_000)
            + "}]}");
    backend.answer(
        "/api/commands/old-1?outputLimit=2000",
        "{\"commandId\":\"old-1\",\"outputTruncated\":true,"
            + "\"outputDroppedBytes\":3145728,\"outputDroppedChunks\":48,\"output\":["
            + "{\"sequence\":2,\"streamType\":\"STDOUT\",\"content\":\"second\\n\"},"
            + "{\"sequence\":1,\"streamType\":\"STDOUT\",\"content\":\"first\\n\"}]}");
    backend.answer(
        "/api/agents/h1/history?limit=8",
        "{\"history\":["
            + "{\"status\":\"ONLINE\",\"reason\":null,\"timestamp\":"
            + (now - 120_000)
            + "},"
            + "{\"status\":\"OFFLINE\",\"reason\":\"Heartbeat timeout\",\"timestamp\":"
            + (now - 90_000)
            + "}]}");
    backend.send(
        "DASHBOARD_CONNECTED",
        "{\"agents\":[" + agent("h1", "veteran", "ONLINE", "IDLE", null, null) + "]}");
    page.awaitStatus("veteran", "ONLINE", WAIT);

    page.row("veteran").orElseThrow().click();
    AgentsPage.awaitUntil(
        "the earlier command's output",
        WAIT,
        () -> "first\nsecond".equals(page.commandOutput("earlier command")));
    assertThat(page.commandStatus("earlier command")).isEqualTo("COMPLETED");
    assertThat(
            page.commandCard("earlier command")
                .orElseThrow()
                .findElement(By.cssSelector("[data-role='truncated']"))
                .getText())
        .as("the page says the output cap dropped the oldest output, and how much")
        .isEqualTo(
            "Output truncated: the oldest 3.0 MiB (48 chunks) were dropped by the per-command output cap.");
    AgentsPage.awaitUntil(
        "two history entries",
        WAIT,
        () ->
            browser.driver().findElements(By.cssSelector("#history-list .history-item")).size()
                == 2);
    assertThat(browser.driver().findElement(By.id("history-list")).getText())
        .contains("OFFLINE", "Heartbeat timeout", "ONLINE");
    assertThat(backend.apiCalls())
        .extracting(ScriptedDashboardBackend.ApiCall::pathAndQuery)
        .contains("/api/commands?agentId=h1&limit=10", "/api/agents/h1/history?limit=8");
    assertThat(backend.apiCalls()).allMatch(ScriptedDashboardBackend.ApiCall::cookieAuthenticated);
  }

  @Test
  void runningCommandCanBeCancelledFromThePage() throws Exception {
    backend.send(
        "DASHBOARD_CONNECTED",
        "{\"agents\":[" + agent("c1", "runner", "ONLINE", "IDLE", null, null) + "]}");
    page.awaitStatus("runner", "ONLINE", WAIT);
    page.runCommand("runner", "sleep 60");
    String request = backend.takeType("COMMAND_REQUEST", WAIT);
    String commandId = request.replaceAll(".*\"commandId\":\"([^\"]+)\".*", "$1");
    backend.send("COMMAND_STATUS", status(commandId, "EXECUTING", null));
    AgentsPage.awaitUntil(
        "EXECUTING", WAIT, () -> "EXECUTING".equals(page.commandStatus("sleep 60")));

    page.commandCard("sleep 60")
        .orElseThrow()
        .findElement(By.cssSelector(".command-cancel"))
        .click();
    AgentsPage.awaitUntil(
        "a cancel request",
        WAIT,
        () ->
            backend.apiCalls().stream()
                .anyMatch(
                    c ->
                        c.method().equals("POST")
                            && c.pathAndQuery().equals("/api/commands/" + commandId + "/cancel")));
    ScriptedDashboardBackend.ApiCall cancel =
        backend.apiCalls().stream()
            .filter(c -> c.method().equals("POST"))
            .findFirst()
            .orElseThrow();
    assertThat(cancel.cookieAuthenticated())
        .as("POST with the cookie and a same-host Origin")
        .isTrue();
    assertThat(cancel.body()).contains("\"reason\"");

    backend.send(
        "COMMAND_STATUS", status(commandId, "CANCELLED", "Cancelled from the /agents page"));
    AgentsPage.awaitUntil(
        "CANCELLED", WAIT, () -> "CANCELLED".equals(page.commandStatus("sleep 60")));
    assertThat(
            page.commandCard("sleep 60")
                .orElseThrow()
                .findElement(By.cssSelector(".command-cancel"))
                .isDisplayed())
        .as("no cancel button on a finished command")
        .isFalse();
  }

  @Test
  void pingIsAnsweredWithPongEchoingItsTimestamp() throws Exception {
    backend.send("DASHBOARD_CONNECTED", "{\"agents\":[]}");
    page.awaitConnection("live", WAIT);
    backend.send("PING", "{\"timestamp\":1234567}");
    assertThat(backend.takeType("PONG", WAIT)).contains("\"payload\":{\"timestamp\":1234567}");
  }

  @Test
  void lostConnectionShowsTheBannerThenResyncsFromTheNextSnapshot() throws Exception {
    backend.send(
        "DASHBOARD_CONNECTED",
        "{\"agents\":[" + agent("o1", "old", "ONLINE", "IDLE", null, null) + "]}");
    page.awaitStatus("old", "ONLINE", WAIT);
    assertThat(page.bannerShown()).isFalse();

    backend.dropAll(1001, true);
    AgentsPage.awaitUntil("the connection-lost banner", WAIT, page::bannerShown);
    assertThat(page.bannerText()).startsWith("Connection lost — reconnecting");
    assertThat(page.connection()).isIn("lost", "connecting");

    backend.accept();
    backend.takeType("DASHBOARD_INIT", Duration.ofSeconds(20));
    backend.send(
        "DASHBOARD_CONNECTED",
        "{\"agents\":[" + agent("f1", "fresh", "ONLINE", "IDLE", null, null) + "]}");
    page.awaitStatus("fresh", "ONLINE", WAIT);
    page.awaitConnection("live", WAIT);
    assertThat(page.row("old")).as("the snapshot replaces the stale list").isEmpty();
    assertThat(page.bannerShown()).isFalse();
  }

  @Test
  void socketAuthenticatesWithTheSessionCookieAndTheTokenIsInNoUrl() {
    backend.send("DASHBOARD_CONNECTED", "{\"agents\":[]}");
    page.awaitConnection("live", WAIT);
    assertThat(backend.handshakes()).isNotEmpty().allMatch(Boolean::booleanValue);
    assertThat(page.currentUrl())
        .endsWith("/agents")
        .doesNotContain(ScriptedDashboardBackend.TOKEN);
    assertThat(page.script("return document.cookie"))
        .as("HttpOnly: invisible to scripts")
        .isEqualTo("");
    Object urls = page.script("return performance.getEntries().map(e => e.name).join('\\n')");
    assertThat(String.valueOf(urls)).doesNotContain(ScriptedDashboardBackend.TOKEN);
  }

  @Test
  void refusedSessionAsksToSignInAgainInsteadOfRetrying() {
    backend.send("DASHBOARD_CONNECTED", "{\"agents\":[]}");
    page.awaitConnection("live", WAIT);
    backend.dropAll(4401, false);
    page.awaitConnection("signed-out", WAIT);
    assertThat(page.bannerText()).contains("sign in again");
    assertThat(browser.driver().findElement(By.id("banner-login")).isDisplayed()).isTrue();
  }

  private static String agent(
      String id, String name, String status, String activity, Long lastSeen, String reason) {
    return "{\"agentId\":\""
        + id
        + "\",\"name\":\""
        + name
        + "\",\"type\":\"CUSTOM\",\"status\":\""
        + status
        + "\",\"activityState\":\""
        + activity
        + "\",\"version\":\"1.2.3\",\"hostMachine\":\"host-"
        + id
        + "\""
        + (lastSeen == null ? "" : ",\"lastSeen\":" + lastSeen)
        + (reason == null ? "" : ",\"disconnectReason\":\"" + reason + "\"")
        + "}";
  }

  private static String status(String commandId, String status, String error) {
    return "{\"commandId\":\""
        + commandId
        + "\",\"agentId\":\"c1\",\"status\":\""
        + status
        + "\""
        + (error == null ? "" : ",\"error\":\"" + error + "\"")
        + "}";
  }

  private static String chunk(String commandId, int sequence, String stream, String content) {
    return "{\"commandId\":\""
        + commandId
        + "\",\"agentId\":\"c1\",\"streamType\":\""
        + stream
        + "\",\"content\":\""
        + content
        + "\",\"sequence\":"
        + sequence
        + ",\"timestamp\":"
        + System.currentTimeMillis()
        + "}";
  }
}
