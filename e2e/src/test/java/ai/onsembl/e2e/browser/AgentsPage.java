package ai.onsembl.e2e.browser;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The /agents page as a test sees it: rows found by {@code data-agent-name}, their {@code
 * data-status}, the connection banner, and the command panel. Every read re-queries the DOM (the
 * page updates live).
 */
final class AgentsPage {

  private final Browser browser;
  private final WebDriver driver;

  AgentsPage(Browser browser) {
    this.browser = browser;
    this.driver = browser.driver();
  }

  Browser browser() {
    return browser;
  }

  /** Opens a one-time login link and waits until the page is live on its WebSocket. */
  AgentsPage signIn(String loginLink) {
    driver.get(loginLink);
    awaitUntil(
        "the page at /agents after the login link, got " + driver.getCurrentUrl(),
        Duration.ofSeconds(10),
        () -> driver.getCurrentUrl().endsWith("/agents"));
    awaitConnection("live", Duration.ofSeconds(10));
    return this;
  }

  String currentUrl() {
    return driver.getCurrentUrl();
  }

  /** The body's {@code data-connection}: connecting, live, lost or signed-out. */
  String connection() {
    return driver.findElement(By.tagName("body")).getAttribute("data-connection");
  }

  void awaitConnection(String state, Duration within) {
    awaitUntil(
        "connection " + state + " (was " + safe(this::connection) + ")",
        within,
        () -> state.equals(connection()));
  }

  /** How many DASHBOARD_CONNECTED snapshots the page has applied since it loaded. */
  int snapshots() {
    String n = driver.findElement(By.tagName("body")).getAttribute("data-snapshots");
    return n == null ? 0 : Integer.parseInt(n);
  }

  boolean tableMarkedStale() {
    return driver.findElement(By.id("agents-table")).getAttribute("class").contains("stale");
  }

  boolean bannerShown() {
    return driver.findElement(By.id("banner")).isDisplayed();
  }

  String bannerText() {
    return driver.findElement(By.id("banner-text")).getText();
  }

  Optional<WebElement> row(String name) {
    List<WebElement> rows =
        driver.findElements(By.cssSelector("tr[data-agent-name='" + cssEscape(name) + "']"));
    return rows.stream().findFirst();
  }

  /** The {@code data-status} of the agent's row, or null while it has none. */
  String status(String name) {
    return row(name).map(r -> r.getAttribute("data-status")).orElse(null);
  }

  String agentId(String name) {
    return row(name).map(r -> r.getAttribute("data-agent-id")).orElse(null);
  }

  String cell(String name, String cellClass) {
    return row(name)
        .map(r -> r.findElement(By.cssSelector("td." + cellClass)).getText())
        .orElse(null);
  }

  /** Waits until the agent's row shows {@code status}; returns how long that took. */
  Duration awaitStatus(String name, String status, Duration within) {
    long start = System.nanoTime();
    awaitUntil(
        name + " with data-status=" + status + " (was " + safe(() -> status(name)) + ")",
        within,
        () -> status.equals(status(name)));
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /** Selects the agent, types {@code command} into the command box and submits it. */
  void runCommand(String name, String command) {
    WebElement row = row(name).orElseThrow(() -> new AssertionError("no row for agent " + name));
    row.findElement(By.cssSelector("button[data-action='select']")).click();
    WebElement input = driver.findElement(By.id("command-input"));
    awaitUntil("an enabled command box for " + name, Duration.ofSeconds(5), input::isEnabled);
    input.clear();
    input.sendKeys(command);
    driver.findElement(By.id("command-send")).click();
  }

  /** The card of the newest command whose text is {@code command}. */
  Optional<WebElement> commandCard(String command) {
    List<WebElement> cards = driver.findElements(By.cssSelector("#commands .command"));
    for (int i = cards.size() - 1; i >= 0; i--) {
      WebElement text = cards.get(i).findElement(By.cssSelector(".command-text"));
      if (text.getText().equals("$ " + command)) {
        return Optional.of(cards.get(i));
      }
    }
    return Optional.empty();
  }

  String commandOutput(String command) {
    return commandCard(command)
        .map(c -> c.findElement(By.cssSelector("[data-role='output']")).getText())
        .orElse(null);
  }

  String commandStatus(String command) {
    return commandCard(command).map(c -> c.getAttribute("data-command-status")).orElse(null);
  }

  /** Runs a script in the page (for reading state a user sees but the DOM does not spell out). */
  Object script(String js, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(js, args);
  }

  static void awaitUntil(String what, Duration within, Supplier<Boolean> condition) {
    Awaitility.await(what)
        .atMost(within)
        .pollInterval(Duration.ofMillis(25))
        .pollDelay(Duration.ZERO)
        .ignoreException(StaleElementReferenceException.class)
        .until(() -> Boolean.TRUE.equals(condition.get()));
  }

  private static String safe(Supplier<String> read) {
    try {
      return read.get();
    } catch (RuntimeException e) {
      return e.getClass().getSimpleName();
    }
  }

  private static String cssEscape(String value) {
    return value.replace("\\", "\\\\").replace("'", "\\'");
  }
}
