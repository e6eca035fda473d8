package ai.onsembl.cli;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.TimeZone;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.helpers.Reporter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The CLI's slf4j binding, named to slf4j by {@link CliLogging} (system property {@code
 * slf4j.provider}): the lines slf4j-simple printed as {@code CliLogging} configured it, {@code
 * HH:mm:ss.SSS LEVEL message} (a marker's name before the message, a throwable's stack trace after
 * the line), to stderr or a file, at a default level with {@code org.slf4j.simpleLogger.log.<logger
 * name prefix>} levels on top, as slf4j-simple reads them.
 *
 * <p>It exists for the start path's cost: slf4j's service lookup and slf4j-simple's {@code
 * simplelogger.properties} lookup each open every jar of the class path, and its {@code
 * SimpleDateFormat} loads the calendar, the CLDR locale data and the decimal formats, ~250 classes
 * and ~45 ms before the wrapper could connect. Here the time of day is computed from the default
 * time zone's offset, and only once a line is printed.
 */
public final class LineLogging implements SLF4JServiceProvider {
  static final int TRACE = 0;
  static final int DEBUG = 10;
  static final int INFO = 20;
  static final int WARN = 30;
  static final int ERROR = 40;
  static final int OFF = 50;

  private static final String LEVEL_PREFIX = "org.slf4j.simpleLogger.log.";
  private static final Object WRITE_LOCK = new Object();

  private static volatile int defaultLevel = INFO;
  private static Path file;
  private static PrintStream fileStream;
  private static boolean fileOpened;
  private static TimeZone zone;

  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final MDCAdapter mdc = new NOPMDCAdapter();
  private ILoggerFactory factory;

  public LineLogging() {}

  /**
   * The default level ({@code error|warn|info|debug|trace|off}) and the output: {@code out} when
   * not null (created or truncated when the first line is written), else stderr.
   */
  static void configure(String level, Path out) {
    synchronized (WRITE_LOCK) {
      defaultLevel = levelOf(level);
      file = out;
      fileOpened = false;
      fileStream = null;
    }
  }

  static int levelOf(String level) {
    if (level != null) {
      switch (level.toLowerCase(Locale.ROOT)) {
        case "trace":
          return TRACE;
        case "debug":
          return DEBUG;
        case "info":
          return INFO;
        case "warn":
          return WARN;
        case "error":
          return ERROR;
        case "off":
          return OFF;
        default:
          break;
      }
    }
    return INFO;
  }

  @Override
  public ILoggerFactory getLoggerFactory() {
    return factory;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {
    factory = new Factory();
  }

  /** One logger per name, as slf4j-simple's factory keeps them. */
  static final class Factory implements ILoggerFactory {
    private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();

    @Override
    public Logger getLogger(String name) {
      Logger l = loggers.get(name);
      if (l == null) {
        Logger created = new LineLogger(name);
        l = loggers.putIfAbsent(name, created);
        if (l == null) {
          l = created;
        }
      }
      return l;
    }
  }

  /**
   * The level slf4j-simple gives logger {@code name}: the longest configured prefix, or default.
   */
  static int levelFor(String name) {
    String n = name;
    while (true) {
      String v = System.getProperty(LEVEL_PREFIX + n);
      if (v != null) {
        return levelOf(v);
      }
      int dot = n.lastIndexOf('.');
      if (dot < 0) {
        return defaultLevel;
      }
      n = n.substring(0, dot);
    }
  }

  /** {@code HH:mm:ss.SSS} of {@code millis} in the JVM's default time zone. */
  static String timeOfDay(long millis, TimeZone tz) {
    long local = millis + tz.getOffset(millis);
    int ms = (int) Math.floorMod(local, 86_400_000L);
    char[] c = new char[12];
    two(c, 0, ms / 3_600_000);
    c[2] = ':';
    two(c, 3, ms / 60_000 % 60);
    c[5] = ':';
    two(c, 6, ms / 1000 % 60);
    c[8] = '.';
    int milli = ms % 1000;
    c[9] = (char) ('0' + milli / 100);
    c[10] = (char) ('0' + milli / 10 % 10);
    c[11] = (char) ('0' + milli % 10);
    return new String(c);
  }

  private static void two(char[] c, int at, int v) {
    c[at] = (char) ('0' + v / 10);
    c[at + 1] = (char) ('0' + v % 10);
  }

  /** The line slf4j-simple writes for this event (without its line separator). */
  static String line(long millis, TimeZone tz, Level level, Marker marker, String message) {
    StringBuilder buf = new StringBuilder(32);
    buf.append(timeOfDay(millis, tz)).append(' ');
    buf.append(level.name()).append(' ');
    if (marker != null) {
      buf.append(' ').append(marker.getName()).append(' ');
    }
    return buf.append(message).toString();
  }

  private static void write(Level level, Marker marker, String message, Throwable t) {
    long now = System.currentTimeMillis();
    synchronized (WRITE_LOCK) {
      if (zone == null) {
        zone = TimeZone.getDefault();
      }
      PrintStream out = target();
      out.println(line(now, zone, level, marker, message));
      if (t != null) {
        t.printStackTrace(out);
      }
      out.flush();
    }
  }

  /** stderr as it is now, or the log file (opened once; stderr when it cannot be). */
  private static PrintStream target() {
    Path f = file;
    if (f == null) {
      return System.err;
    }
    if (!fileOpened) {
      fileOpened = true;
      try {
        fileStream = new PrintStream(new FileOutputStream(f.toString()));
      } catch (IOException e) {
        Reporter.error("Could not open [" + f + "]. Defaulting to System.err", e);
      }
    }
    return fileStream != null ? fileStream : System.err;
  }

  /** A named logger at the level {@link #levelFor} gives it when created. */
  static final class LineLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;
    private final transient int level;

    LineLogger(String name) {
      this.name = name;
      this.level = levelFor(name);
    }

    private boolean enabled(int l) {
      return l >= level;
    }

    @Override
    public boolean isTraceEnabled() {
      return enabled(TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
      return enabled(DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
      return enabled(INFO);
    }

    @Override
    public boolean isWarnEnabled() {
      return enabled(WARN);
    }

    @Override
    public boolean isErrorEnabled() {
      return enabled(ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String pattern, Object[] args, Throwable t) {
      write(level, marker, MessageFormatter.basicArrayFormat(pattern, args), t);
    }
  }
}
