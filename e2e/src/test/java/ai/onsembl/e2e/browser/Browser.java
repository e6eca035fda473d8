package ai.onsembl.e2e.browser;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * Headless Debian chromium driven through {@code /usr/bin/chromedriver}, offline: both paths
 * explicit so Selenium Manager never tries the network (Selenium 4.52 drives it offline only then),
 * and a fresh profile per browser. {@link #close()} quits the browser and the driver process and
 * deletes the profile.
 */
final class Browser implements AutoCloseable {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private final Path profile;
  private final ChromeDriverService service;
  private final ChromeDriver driver;

  private Browser(Path profile, ChromeDriverService service, ChromeDriver driver) {
    this.profile = profile;
    this.service = service;
    this.driver = driver;
  }

  /**
   * Fails the test, never skips it, when chromium or chromedriver is missing: {@code scripts/test}
   * installs them, and {@code scripts/test --skip-browser} leaves the browser tests (tag {@code
   * browser}) out openly.
   */
  static void requireInstalled() {
    List<String> missing =
        Stream.of(CHROMIUM, CHROMEDRIVER)
            .filter(p -> !Files.isExecutable(p))
            .map(Path::toString)
            .toList();
    if (!missing.isEmpty()) {
      throw new AssertionError(
          "the browser tests need chromium and chromium-driver, but "
              + missing
              + " is not installed: run scripts/test (it installs them) or scripts/test --skip-browser");
    }
  }

  static Browser start() {
    Path profile;
    try {
      profile = Files.createTempDirectory("onsembl-chromium-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        "--user-data-dir=" + profile,
        "--window-size=1440,900",
        "--lang=en-US");
    options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
            .usingAnyFreePort()
            .build();
    try {
      ChromeDriver driver = new ChromeDriver(service, options);
      driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
      driver.manage().window().setSize(new Dimension(1440, 900));
      return new Browser(profile, service, driver);
    } catch (RuntimeException e) {
      service.stop();
      deleteTree(profile);
      throw e;
    }
  }

  ChromeDriver driver() {
    return driver;
  }

  /**
   * Console errors since the last call (script errors, CSP violations, failed loads), except the
   * "WebSocket connection failed" lines a page logs while it retries a backend that is down.
   */
  List<String> consoleErrors() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
        .map(LogEntry::getMessage)
        .filter(m -> !m.contains("WebSocket connection to"))
        .collect(Collectors.toList());
  }

  /** Saves a PNG of the viewport to {@code file}, creating its directory. */
  void screenshot(Path file) {
    byte[] png = driver.getScreenshotAs(OutputType.BYTES);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.write(file, png);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
      deleteTree(profile);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temp profile is harmless; the test's result stands
    }
  }
}
