package ai.onsembl.e2e.browser;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onsembl.e2e.BackendProcess;
import ai.onsembl.e2e.Dist;
import ai.onsembl.e2e.LeakChecks;
import ai.onsembl.wrapper.testing.RunningProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

/**
 * "Connect a device" on the /agents page: {@code onsembl-agent login} prints a link with its code;
 * a user signed in to the page opens it, a wrong code is refused with the reason, and approving the
 * right one ends the login with exit 0 and a saved login.
 */
@Tag("browser")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakChecks.class)
class ConnectDevicePageIT {
  private static final Pattern LOGIN_LINK =
      Pattern.compile("(http://\\S+/login\\?code=[A-Za-z0-9_-]+)");
  private static final Pattern PROMPT =
      Pattern.compile("onsembl login: open (\\S+) and confirm the code ([A-Z]{4}-[A-Z]{4})");

  @TempDir Path dir;

  @Test
  void signedInUserApprovesTheCodeOnThePage() {
    Browser.requireInstalled();
    try (BackendProcess backend = BackendProcess.start(dir.resolve("backend.db"), dir);
        RunningProcess login =
            Dist.start(
                "login",
                Map.of("HOME", dir.toString()),
                dir,
                "login",
                "--server",
                backend.httpUrl(),
                "--state-dir",
                dir.resolve("state").toString());
        Browser browser = Browser.start()) {
      Matcher link =
          LOGIN_LINK.matcher(
              backend
                  .process()
                  .awaitStderr(l -> LOGIN_LINK.matcher(l).find(), Duration.ofSeconds(10)));
      assertThat(link.find()).isTrue();
      Matcher prompt =
          PROMPT.matcher(
              login.awaitStdout(l -> l.startsWith("onsembl login: open"), Duration.ofSeconds(30)));
      assertThat(prompt.matches()).isTrue();
      new AgentsPage(browser).signIn(link.group(1));
      WebDriver driver = browser.driver();

      driver.get(prompt.group(1));
      AgentsPage.awaitUntil(
          "the code filled in from the link",
          Duration.ofSeconds(10),
          () ->
              prompt
                  .group(2)
                  .equals(driver.findElement(By.id("device-code")).getAttribute("value")));
      assertThat(driver.findElement(By.id("device-panel")).getAttribute("open")).isNotNull();

      driver.findElement(By.id("device-code")).clear();
      driver.findElement(By.id("device-code")).sendKeys("BBBB-CCCC");
      driver.findElement(By.id("device-approve")).click();
      AgentsPage.awaitUntil(
          "the wrong code refused",
          Duration.ofSeconds(10),
          () ->
              driver
                  .findElement(By.id("device-result"))
                  .getText()
                  .equals("Not approved: no pending device login with the code BBBB-CCCC"));

      driver.findElement(By.id("device-code")).clear();
      driver.findElement(By.id("device-code")).sendKeys(prompt.group(2));
      driver.findElement(By.id("device-approve")).click();
      AgentsPage.awaitUntil(
          "the code approved",
          Duration.ofSeconds(10),
          () -> driver.findElement(By.id("device-result")).getText().startsWith("Approved"));

      assertThat(login.awaitExit(Duration.ofSeconds(30))).as(login.transcript()).isZero();
      assertThat(login.stdout().get(1))
          .startsWith("onsembl login: logged in to " + backend.httpUrl());
      assertThat(Files.exists(dir.resolve("state").resolve("login.json"))).isTrue();
      // The refused wrong code is the one failed request the browser reports.
      assertThat(browser.consoleErrors())
          .as("console errors of the page")
          .allMatch(m -> m.contains("/api/auth/device/confirm") && m.contains("400"));
    }
  }
}
