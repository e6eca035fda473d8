package ai.onsembl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

/**
 * {@link LineLogging} against slf4j-simple 2.0.17 configured as {@link CliLogging} configures it:
 * the same lines for the same calls (slf4j-simple runs in a class loader of its own, so its
 * once-per-JVM configuration is this test's), and the same time of day as {@link SimpleDateFormat}.
 */
class LineLoggingTest {
  private static final String[] NAMES = {
    "ai.onsembl.wrapper.AgentWrapper", "org.java_websocket.WebSocketImpl", "org.java_websocket"
  };

  /** One logging call, made the same way on either logger. */
  private record Call(String level, String pattern, Object[] args) {}

  /** One throwable for both loggers, so its stack trace is the same text in both. */
  private static final IllegalStateException BOOM = new IllegalStateException("boom");

  private static List<Call> calls() {
    List<Call> calls = new ArrayList<>();
    for (String level : List.of("trace", "debug", "info", "warn", "error")) {
      calls.add(new Call(level, "[agent-1] plain " + level, new Object[0]));
      calls.add(new Call(level, "two {} and {}", new Object[] {"a", 42}));
      calls.add(new Call(level, "escaped \\{} and {}", new Object[] {"x"}));
      calls.add(new Call(level, "too few {} {} {}", new Object[] {"only"}));
      calls.add(new Call(level, "array {}", new Object[] {new int[] {1, 2}}));
      calls.add(new Call(level, "with a throwable {}", new Object[] {"arg", BOOM}));
      calls.add(new Call(level, "null arg {}", new Object[] {null}));
    }
    return calls;
  }

  @Test
  void printsTheLinesSlf4jSimplePrintedForEveryLevelAndLogger() throws Exception {
    for (String level : List.of("error", "warn", "info", "debug", "trace")) {
      assertThat(mask(lineLogging(level))).isEqualTo(mask(slf4jSimple(level))).isNotEmpty();
    }
  }

  @Test
  void honoursAPerLoggerLevelPropertyAsSlf4jSimpleDoes() throws Exception {
    String key = "org.slf4j.simpleLogger.log.ai.onsembl";
    String before = System.getProperty(key);
    System.setProperty(key, "error");
    try {
      assertThat(mask(lineLogging("info"))).isEqualTo(mask(slf4jSimple("info")));
      assertThat(LineLogging.levelFor("ai.onsembl.wrapper.AgentWrapper"))
          .isEqualTo(LineLogging.ERROR);
    } finally {
      restore(key, before);
    }
  }

  @Test
  void timeOfDayIsSimpleDateFormatsInAnyZone() {
    Random random = new Random(7);
    for (String id :
        List.of(
            "UTC",
            "Europe/Berlin",
            "America/New_York",
            "Asia/Kolkata",
            "Australia/Lord_Howe",
            "Pacific/Chatham",
            "America/St_Johns")) {
      TimeZone tz = TimeZone.getTimeZone(id);
      SimpleDateFormat f = new SimpleDateFormat("HH:mm:ss.SSS");
      f.setTimeZone(tz);
      List<Long> instants =
          new ArrayList<>(
              List.of(0L, -1L, 1L, 86_399_999L, 1_711_846_799_999L, 1_711_846_800_000L));
      for (int i = 0; i < 2000; i++) {
        instants.add(random.nextLong() % 4_000_000_000_000L);
      }
      for (long t : instants) {
        assertThat(LineLogging.timeOfDay(t, tz)).as("%s at %d", id, t).isEqualTo(f.format(t));
      }
    }
  }

  @Test
  void writesToTheLogFileWhenGivenOneTruncatingIt(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("agent.log");
    Files.writeString(file, "old content\n");
    Map<String, String> saved = saveProperties();
    try {
      CliLogging.configure("info", file);
      Logger log = new LineLogging.LineLogger("ai.onsembl.test");
      log.info("one {}", 1);
      log.debug("not shown");
      log.warn("two");
      List<String> lines = Files.readAllLines(file);
      assertThat(lines).hasSize(2);
      assertThat(lines.get(0)).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d INFO one 1");
      assertThat(lines.get(1)).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d WARN two");
    } finally {
      restoreProperties(saved);
      LineLogging.configure("info", null);
    }
  }

  private static String lineLogging(String level) {
    Map<String, String> saved = saveProperties();
    try {
      CliLogging.configure(level);
      return captureStderr(
          () -> {
            for (String name : NAMES) {
              Logger l = new LineLogging.LineLogger(name);
              for (Call c : calls()) {
                try {
                  Logger.class
                      .getMethod(c.level(), String.class, Object[].class)
                      .invoke(l, c.pattern(), c.args());
                } catch (ReflectiveOperationException e) {
                  throw new AssertionError(e);
                }
              }
            }
          });
    } finally {
      restoreProperties(saved);
      LineLogging.configure("info", null);
    }
  }

  /** The same calls on slf4j-simple, loaded fresh (its configuration is read once per loader). */
  private static String slf4jSimple(String level) throws Exception {
    URL api = Logger.class.getProtectionDomain().getCodeSource().getLocation();
    URL simple =
        Class.forName("org.slf4j.simple.SimpleLogger")
            .getProtectionDomain()
            .getCodeSource()
            .getLocation();
    Map<String, String> saved = saveProperties();
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {api, simple}, ClassLoader.getPlatformClassLoader())) {
      CliLogging.configure(level);
      Object factory =
          loader.loadClass("org.slf4j.simple.SimpleLoggerFactory").getConstructor().newInstance();
      Method getLogger = factory.getClass().getMethod("getLogger", String.class);
      Class<?> loggerType = loader.loadClass("org.slf4j.Logger");
      return captureStderr(
          () -> {
            try {
              for (String name : NAMES) {
                Object l = getLogger.invoke(factory, name);
                for (Call c : calls()) {
                  loggerType
                      .getMethod(c.level(), String.class, Object[].class)
                      .invoke(l, c.pattern(), c.args());
                }
              }
            } catch (ReflectiveOperationException e) {
              throw new AssertionError(e);
            }
          });
    } finally {
      restoreProperties(saved);
      LineLogging.configure("info", null);
    }
  }

  private static String captureStderr(Runnable r) {
    PrintStream before = System.err;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      r.run();
    } finally {
      System.setErr(before);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** The time of day at the start of each line, checked for its shape and then left out. */
  private static String mask(String text) {
    StringBuilder out = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      if (line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d [A-Z]+ .*")) {
        line = "TIME" + line.substring(12);
      }
      out.append(line).append('\n');
    }
    return out.toString();
  }

  private static final List<String> KEYS =
      List.of(
          "org.slf4j.simpleLogger.logFile",
          "org.slf4j.simpleLogger.defaultLogLevel",
          "org.slf4j.simpleLogger.showDateTime",
          "org.slf4j.simpleLogger.dateTimeFormat",
          "org.slf4j.simpleLogger.showThreadName",
          "org.slf4j.simpleLogger.showLogName",
          "org.slf4j.simpleLogger.showShortLogName",
          "org.slf4j.simpleLogger.log.org.java_websocket",
          "slf4j.provider",
          "slf4j.internal.verbosity");

  private static Map<String, String> saveProperties() {
    Map<String, String> saved = new HashMap<>();
    for (String k : KEYS) {
      saved.put(k, System.getProperty(k));
    }
    return saved;
  }

  private static void restoreProperties(Map<String, String> saved) {
    saved.forEach(LineLoggingTest::restore);
  }

  private static void restore(String key, String value) {
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
  }

  @Test
  void levelsAreReadAsSlf4jSimpleReadsThem() {
    assertThat(LineLogging.levelOf("TRACE")).isEqualTo(LineLogging.TRACE);
    assertThat(LineLogging.levelOf("Warn")).isEqualTo(LineLogging.WARN);
    assertThat(LineLogging.levelOf("off")).isEqualTo(LineLogging.OFF);
    assertThat(LineLogging.levelOf("nonsense")).isEqualTo(LineLogging.INFO);
    assertThat(LineLogging.levelOf(null)).isEqualTo(LineLogging.INFO);
  }
}
